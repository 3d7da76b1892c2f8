import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ZipFile } from 'yazl';
import { generateSurvey } from '@aerial/sample-data';

/**
 * Building blocks for bad-input tests (Ingest's own tests and the handoff suite's corpus in
 * @aerial/tests): good photos to put bad ones among, and zips written with yazl, the library the
 * project writes zips with, then corrupted on purpose.
 */

/** Four good photos of a small generated survey: the healthy company every bad file is put in. */
export async function goodPhotos(dir: string): Promise<Buffer[]> {
  await generateSurvey({
    outDir: dir,
    widthPx: 480,
    heightPx: 360,
    areaWidthM: 20,
    areaHeightM: 20,
    forwardOverlap: 0.6,
    sideOverlap: 0.5,
  });
  return readdirSync(join(dir, 'images'))
    .sort()
    .slice(0, 4)
    .map((f) => readFileSync(join(dir, 'images', f)));
}

export interface ZipEntrySpec {
  readonly name: string;
  readonly data: Buffer;
  /** Unix mode, e.g. 0o120777 for a symbolic link. */
  readonly mode?: number;
  readonly compress?: boolean;
}

/**
 * A zip in memory; then `patch` rewrites raw bytes: yazl refuses unsafe names, so a patch swaps
 * a safe placeholder name for the bad one (same length) in both the local and the central header.
 */
export async function zipOf(
  entries: readonly ZipEntrySpec[],
  patch: readonly (readonly [string, Buffer | string])[] = [],
): Promise<Buffer> {
  const zip = new ZipFile();
  for (const e of entries) zip.addBuffer(e.data, e.name, { mode: e.mode, compress: e.compress ?? false });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) chunks.push(chunk);
  const out = Buffer.concat(chunks);
  for (const [from, to] of patch) {
    const needle = Buffer.from(from, 'latin1');
    const replacement = typeof to === 'string' ? Buffer.from(to, 'latin1') : to;
    if (needle.length !== replacement.length) throw new Error(`patch ${from} must keep the length`);
    let at = out.indexOf(needle);
    if (at < 0) throw new Error(`${from} is not in the zip`);
    for (; at >= 0; at = out.indexOf(needle, at + 1)) replacement.copy(out, at);
  }
  return out;
}
