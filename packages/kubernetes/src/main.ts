#!/usr/bin/env node
import { ENVIRONMENT_NAMES } from '@aerial/contracts';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildEnvironment } from './app';

/** `nx run kubernetes:synth`: writes every environment's manifests to `manifests/<env>/`. */
const root = resolve(__dirname, '..', 'manifests');
for (const name of ENVIRONMENT_NAMES) {
  const outdir = join(root, name);
  rmSync(outdir, { recursive: true, force: true });
  buildEnvironment(name, outdir).app.synth();
  process.stdout.write(`manifests/${name}: synthesized\n`);
}
