import { colmapVersion, reconstruct, runColmap } from '@aerial/pipeline';
import { sharedDatasetImages } from '@aerial/sample-data';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

/**
 * COLMAP's defaults (3200 px, 8192 features, exhaustive matching) against the SfM stage's settings
 * (1600 px, 4096 features, GPS spatial matching) on Brighton Beach, in the same run: time,
 * registered images and reprojection error of each, and the time ratio.
 */
async function main(): Promise<void> {
  const images = sharedDatasetImages('brighton-beach');
  const version = colmapVersion();
  if (!images || !version)
    throw new Error(
      !images ? 'needs ../shared/datasets/brighton-beach' : 'needs colmap on PATH (apt-get install colmap)',
    );
  const signal = new AbortController().signal;
  const run = async (
    label: string,
    options: { maxImageSize?: number; maxFeatures?: number; matcher: 'spatial' | 'exhaustive' },
  ) => {
    const work = mkdtempSync(join(tmpdir(), 'aerial-bench-sfm-'));
    try {
      cpSync(images, join(work, 'images'), { recursive: true });
      const started = performance.now();
      await reconstruct({
        workDir: work,
        images: 18,
        signal,
        ...options,
        progress: (p, m) => process.stderr.write(`\r${label}: ${p.toFixed(0)}% ${m}      `),
      });
      const seconds = (performance.now() - started) / 1000;
      process.stderr.write('\n');
      const analysis = await runColmap('model_analyzer', ['--path', 'sparse/0'], { cwd: work, signal });
      return {
        label,
        seconds,
        registered: Number(/Registered images: (\d+)/.exec(analysis)?.[1]),
        reprojection: Number(/Mean reprojection error: ([\d.]+)px/.exec(analysis)?.[1]),
      };
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  };
  const stage = await run('stage settings', { maxImageSize: 1600, maxFeatures: 4096, matcher: 'spatial' });
  const defaults = await run('COLMAP defaults', { matcher: 'exhaustive' });
  for (const r of [defaults, stage]) {
    process.stdout.write(
      `${r.label}: ${r.seconds.toFixed(1)} s, ${r.registered}/18 registered, mean reprojection ${r.reprojection.toFixed(3)} px\n`,
    );
  }
  process.stdout.write(`${version}; ratio defaults / stage: ${(defaults.seconds / stage.seconds).toFixed(2)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench sfm: ${(e as Error).message}\n`);
  process.exit(1);
});
