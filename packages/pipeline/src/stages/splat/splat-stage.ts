import { AerialError, declaredOutput, stageOutputKey, type StageSummary } from '@aerial/contracts';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseColmapText } from '../sfm/colmap-text-model';
import { readStageOutput, type StageHandler } from '@aerial/runtime';
import { runTool } from '../../external-programs/run-tool';
import { initialGaussians } from './gaussian-splats';
import { writeSplatPly } from './splat-ply';

/**
 * Splat: 3D Gaussian splatting from the SfM model. On a GPU node the trainer named by
 * `AERIAL_SPLAT_TRAINER` (an executable taking `<colmap model dir> <initial ply> <output ply>`,
 * e.g. a wrapper around gsplat's `simple_trainer`) refines the standard initialisation; where no
 * trainer is configured, the initialisation itself is the output, labelled untrained.
 */
export const splatStage: StageHandler = async (invocation, context) => {
  const { store } = context;
  // The manifest names the model's points3D.txt; cameras.txt and images.txt lie beside it.
  const points = await readStageOutput(store, invocation.jobId, 'SfM', 'colmap-model');
  const modelPrefix = points.key.slice(0, points.key.lastIndexOf('/'));
  const text = async (file: string) => (await store.get(`${modelPrefix}/${file}`)).toString('utf8');
  const model = parseColmapText(await text('cameras.txt'), await text('images.txt'), await text('points3D.txt'));
  if (model.points.length < 10)
    throw new AerialError('Aerial.QualityRejected', `the sparse model has only ${model.points.length} points`);
  context.progress(10, `initialising ${model.points.length} Gaussians`);
  const initial = initialGaussians(model.points);
  const initialPly = writeSplatPly(initial, ['aerial: untrained 3DGS initialisation from SfM points']);
  context.progress(40, 'initialised');

  const trainer = context.config.AERIAL_SPLAT_TRAINER;
  let output = initialPly;
  let trained = false;
  if (trainer) {
    const work = await mkdtemp(join(tmpdir(), 'aerial-splat-'));
    try {
      for (const file of ['cameras.txt', 'images.txt', 'points3D.txt'])
        await writeFile(join(work, file), await text(file));
      await writeFile(join(work, 'initial.ply'), initialPly);
      await runTrainer(trainer, [work, join(work, 'initial.ply'), join(work, 'trained.ply')], context.signal, (p) =>
        context.progress(40 + p * 0.55, 'training'),
      );
      output = await readFile(join(work, 'trained.ply'));
      trained = true;
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }
  const key = stageOutputKey(invocation.jobId, 'Splat', 'splats');
  const info = await store.put(key, output, {
    contentType: 'application/x-ply',
    metadata: { trained: String(trained) },
  });
  return {
    outputs: [declaredOutput('Splat', 'splats', { key, bytes: info.bytes })],
    summary: {
      splats: initial.count,
      trained,
      trainer: trainer ?? null,
      shDegree: 0,
      note: trained
        ? 'trained on a GPU node'
        : 'untrained: the standard 3DGS initialisation from SfM points, not a trained result',
    } satisfies StageSummary<'Splat'>,
  };
};

async function runTrainer(
  command: string,
  args: string[],
  signal: AbortSignal,
  progress: (percent: number) => void,
): Promise<void> {
  await runTool({
    file: command,
    args,
    signal,
    label: `the splat trainer ${command}`,
    missing: {
      reason: `the splat trainer ${command} is not installed`,
      remedy: 'unset AERIAL_SPLAT_TRAINER to write the untrained initialisation',
    },
    // Trainers print "step N/M" (gsplat) or "N/M" progress; take the last fraction on a line.
    onLine: (line) => {
      const m = [...line.matchAll(/(\d+)\s*\/\s*(\d+)/g)].pop();
      if (m && Number(m[2]) > 0) progress(Math.min(100, (100 * Number(m[1])) / Number(m[2])));
    },
  });
}
