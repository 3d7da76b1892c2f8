import { AerialError, declaredOutput, stageOutputKey, type StageSummary } from '@aerial/contracts';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PointGrid } from '../../geo/point-grid';
import { readPlyPositions } from '../splat/splat-ply';
import { readStageOutput, type StageHandler } from '@aerial/runtime';
import { runTool } from '../../external-programs/run-tool';

/** Largest position error a SOG round trip may show, as a fraction of the scene's extent. */
export const ROUND_TRIP_TOLERANCE = 0.002;

/**
 * Compress: PLY → SOG with @playcanvas/splat-transform on the CPU (its GPU path needs WebGPU),
 * spherical harmonics capped at the job's `maxShDegree` (default 0: CPU compression of SH degree 3
 * takes minutes per 10k splats), then a
 * round trip SOG → PLY that must keep every position within the stated tolerance.
 */
export const compressStage: StageHandler = async (invocation, context) => {
  const { store } = context;
  const splats = await readStageOutput(store, invocation.jobId, 'Splat', 'splats');
  const source = await store.get(splats.key);
  const work = await mkdtemp(join(tmpdir(), 'aerial-compress-'));
  try {
    await writeFile(join(work, 'in.ply'), source);
    const started = performance.now();
    const shDegree = context.request.options.maxShDegree ?? 0;
    await splatTransform(
      ['-w', '-g', 'cpu', 'in.ply', '--filter-harmonics', String(shDegree), 'out.sog'],
      work,
      context.signal,
    );
    const seconds = (performance.now() - started) / 1000;
    context.progress(70, 'compressed; checking the round trip');
    await splatTransform(['-w', 'out.sog', 'back.ply'], work, context.signal);
    const sog = await readFile(join(work, 'out.sog'));
    const check = roundTrip(readPlyPositions(source), readPlyPositions(await readFile(join(work, 'back.ply'))));
    if (!(check.maxError <= ROUND_TRIP_TOLERANCE * check.extent)) {
      throw new AerialError(
        'Aerial.Internal',
        `SOG round trip moved a splat by ${check.maxError.toFixed(4)} m, above ${(ROUND_TRIP_TOLERANCE * 100).toFixed(1)} % of the ${check.extent.toFixed(1)} m scene`,
      );
    }
    const key = stageOutputKey(invocation.jobId, 'Compress', 'sog');
    const info = await store.put(key, sog, { contentType: 'application/octet-stream' });
    return {
      outputs: [declaredOutput('Compress', 'sog', { key, bytes: info.bytes })],
      summary: {
        plyBytes: source.length,
        sogBytes: sog.length,
        ratio: Math.round((source.length / sog.length) * 100) / 100,
        seconds: Math.round(seconds * 100) / 100,
        shDegree,
        roundTrip: { maxErrorM: check.maxError, extentM: check.extent, tolerance: ROUND_TRIP_TOLERANCE },
      } satisfies StageSummary<'Compress'>,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
};

/**
 * How far a round trip moved the splats: the largest distance from any splat to the nearest splat
 * of the other set, both ways (the symmetric Hausdorff distance; SOG reorders splats, so there is
 * no index correspondence), and the scene's extent for scale.
 */
export function roundTrip(before: Float32Array, after: Float32Array): { maxError: number; extent: number } {
  if (before.length !== after.length) {
    throw new AerialError(
      'Aerial.Internal',
      `SOG round trip changed the splat count (${before.length / 3} → ${after.length / 3})`,
    );
  }
  const farthest = (from: Float32Array, to: Float32Array) => {
    const grid = new PointGrid(to);
    let worst = 0;
    for (let i = 0; i < from.length / 3; i++)
      worst = Math.max(worst, grid.kNearest(from[i * 3]!, from[i * 3 + 1]!, from[i * 3 + 2]!, 1)[0] ?? 0);
    return worst;
  };
  const min = [Infinity, Infinity, Infinity];
  const max = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < before.length / 3; i++) {
    for (let c = 0; c < 3; c++) {
      min[c] = Math.min(min[c]!, before[i * 3 + c]!);
      max[c] = Math.max(max[c]!, before[i * 3 + c]!);
    }
  }
  return {
    maxError: Math.max(farthest(before, after), farthest(after, before)),
    extent: Math.hypot(max[0]! - min[0]!, max[1]! - min[1]!, max[2]! - min[2]!),
  };
}

async function splatTransform(args: string[], cwd: string, signal: AbortSignal): Promise<void> {
  // The package exports no package.json; its CommonJS entry sits in dist/.
  const cli = join(dirname(require.resolve('@playcanvas/splat-transform')), '..', 'bin', 'cli.mjs');
  await runTool({
    file: process.execPath,
    args: [cli, '--no-tty', ...args],
    cwd,
    signal,
    label: `splat-transform ${args.join(' ')}`,
    missing: { reason: 'Node.js could not be started for splat-transform', remedy: 'check the worker image' },
  });
}
