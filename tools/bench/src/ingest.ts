import { DEFAULT_ENVIRONMENTS, keys } from '@aerial/contracts';
import { forEachLimited, ingestStage } from '@aerial/pipeline';
import { LocalFolderStore, putJson, runStage } from '@aerial/runtime';
import { generateSurvey, sharedDatasetImages } from '@aerial/sample-data';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { sideBySide } from './measure';
import { emitFigures, figure } from './report';

/**
 * Ingest against its floor: the time to decode every image once at full size with sharp, two at a
 * time (ingest's own concurrency), in the same run. Prints both and the ratio.
 */
async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'aerial-bench-'));
  try {
    let images = sharedDatasetImages('brighton-beach');
    let dataset = 'Brighton Beach (18 DJI photos, 4000×2250)';
    if (!images) {
      await generateSurvey({ outDir: join(work, 'survey') });
      images = join(work, 'survey', 'images');
      dataset = 'generated survey (1600×1200), Brighton Beach absent';
    }
    const files = readdirSync(images).map((f) => join(images!, f));
    const store = new LocalFolderStore(join(work, 'objects'));
    let run = 0;
    const rounds = Number(process.env.BENCH_INGEST_ROUNDS ?? 5);
    const result = await sideBySide(
      rounds,
      {
        label: 'Ingest stage',
        run: async () => {
          const jobId = `bench-${++run}`;
          await putJson(store, keys.request(jobId), { source: { kind: 'folder', path: images } });
          await runStage(
            { jobId, stage: 'Ingest' },
            { store, environment: DEFAULT_ENVIRONMENTS.dev, handlers: { Ingest: ingestStage } },
          );
        },
      },
      { label: 'sharp full decode of every image', run: () => decodeAll(files) },
      // One untimed pair: the photos into the page cache and the code paths compiled.
      { warmup: 1 },
    );
    const rssMb = process.memoryUsage().rss / 1e6;
    process.stdout.write(
      [
        `dataset: ${dataset}, ${files.length} files, ${rounds} rounds each after a warm-up, interleaved`,
        `${result.floor.label}: median ${result.floor.medianSeconds.toFixed(2)} s (${result.floor.runs.map((r) => r.toFixed(2)).join(', ')})`,
        `${result.candidate.label}: median ${result.candidate.medianSeconds.toFixed(2)} s (${result.candidate.runs.map((r) => r.toFixed(2)).join(', ')})`,
        `ratio ingest / decode floor: ${result.ratio.toFixed(2)}`,
        `peak RSS of this process: ${rssMb.toFixed(0)} MB`,
        '',
      ].join('\n'),
    );
    emitFigures([
      figure({
        id: 'ingest.decode',
        group: 'Ingest',
        name: `Ingest stage, ${dataset}`,
        unit: 's',
        samples: result.candidate.runs,
        baseline: { name: 'sharp full decode, 2 at a time', samples: result.floor.runs },
      }),
    ]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function decodeAll(files: string[]): Promise<void> {
  await forEachLimited(files.length, 2, async (k) => {
    await sharp(readFileSync(files[k]!)).raw().toBuffer();
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`bench ingest: ${(e as Error).message}\n`);
  process.exit(1);
});
