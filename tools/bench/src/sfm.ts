import { colmapVersion, reconstruct, runColmap } from '@aerial/pipeline';
import { sharedDatasetImages } from '@aerial/sample-data';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { emitFigures, figure, num, skipped } from './report';

/**
 * COLMAP's defaults (3200 px, 8192 features, exhaustive matching) against the SfM stage's settings
 * (1600 px, 4096 features, GPS spatial matching) on Brighton Beach, in the same run: time,
 * registered images and reprojection error of each, and the time ratio.
 */
async function main(): Promise<void> {
  const images = sharedDatasetImages('brighton-beach');
  const version = colmapVersion();
  if (!images || !version) {
    const why = !images
      ? '../shared/datasets/brighton-beach is absent'
      : 'colmap is not on PATH (tools/services/setup.sh)';
    process.stdout.write(`sfm: skipped, ${why}\n`);
    emitFigures([skipped('sfm.colmap', 'SfM', 'SfM stage settings vs COLMAP defaults', why)]);
    return;
  }
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
  // COLMAP's defaults take ~6 min a round here: one round unless BENCH_SFM_ROUNDS asks for more.
  const rounds = Number(process.env.BENCH_SFM_ROUNDS ?? 1);
  const stage: Awaited<ReturnType<typeof run>>[] = [];
  const defaults: typeof stage = [];
  for (let r = 0; r < rounds; r++) {
    stage.push(await run('stage settings', { maxImageSize: 1600, maxFeatures: 4096, matcher: 'spatial' }));
    defaults.push(await run('COLMAP defaults', { matcher: 'exhaustive' }));
  }
  for (const r of [...defaults, ...stage]) {
    process.stdout.write(
      `${r.label}: ${r.seconds.toFixed(1)} s, ${r.registered}/18 registered, mean reprojection ${r.reprojection.toFixed(3)} px\n`,
    );
  }
  const f = figure({
    id: 'sfm.colmap',
    group: 'SfM',
    name: 'SfM stage settings (1600 px, 4096 features, spatial matching) vs COLMAP defaults (exhaustive), Brighton Beach',
    unit: 's',
    samples: stage.map((r) => r.seconds),
    baseline: { name: 'COLMAP defaults', samples: defaults.map((r) => r.seconds) },
    // The stage must register every photo; its time is compared, not judged.
    note:
      `${version}; registered ${stage.at(-1)!.registered}/18 (defaults ${defaults.at(-1)!.registered}/18), ` +
      `mean reprojection ${num(stage.at(-1)!.reprojection)} px (defaults ${num(defaults.at(-1)!.reprojection)} px).`,
  });
  const registered = figure({
    id: 'sfm.registered',
    group: 'SfM',
    name: 'photos registered by the stage settings, of 18',
    unit: 'photos',
    samples: stage.map((r) => r.registered),
    baseline: { name: 'COLMAP defaults', samples: defaults.map((r) => r.registered) },
    target: { on: 'ratio', op: '>=', limit: 1, text: '≥ 1 (as many as the defaults)' },
  });
  process.stdout.write(`${version}; ratio stage / defaults: ${num(f.ratio!.median)}\n`);
  emitFigures([f, registered]);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench sfm: ${(e as Error).message}\n`);
  process.exit(1);
});
