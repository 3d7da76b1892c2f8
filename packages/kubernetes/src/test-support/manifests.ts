import { type EnvironmentName } from '@aerial/contracts';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { buildEnvironment } from '../app';
import type { ManifestObject } from '../cluster-pods';

/** `manifests/` of this package: what is committed, and what Argo CD syncs. */
export const COMMITTED = resolve(__dirname, '..', '..', 'manifests');

/** Every object of every YAML file of a folder, with the file it is in. */
export function readManifests(dir: string): { file: string; object: ManifestObject }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((file) =>
      parseAllDocuments(readFileSync(join(dir, file), 'utf8'))
        .map((d) => d.toJSON() as ManifestObject | null)
        .filter((o): o is ManifestObject => o !== null)
        .map((object) => ({ file, object })),
    );
}

/** Synthesizes one environment into a fresh temporary folder. */
export function synthesize(name: EnvironmentName): { dir: string; objects: ManifestObject[] } {
  const dir = mkdtempSync(join(tmpdir(), `aerial-k8s-${name}-`));
  buildEnvironment(name, dir).app.synth();
  return { dir, objects: readManifests(dir).map((m) => m.object) };
}
