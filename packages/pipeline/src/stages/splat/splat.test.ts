import { declaredOutput, DEFAULT_ENVIRONMENTS, keys, loadRuntimeConfig, parseStageManifest } from '@aerial/contracts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalFolderStore } from '@aerial/runtime';
import { putJson } from '@aerial/runtime';
import { compressStage, roundTrip } from '../compress/compress-stage';
import { parseColmapText, cameraCenter } from '../sfm/colmap-text-model';
import { runStage } from '@aerial/runtime';
import { initialGaussians, meanNeighbourDistances, SH_C0 } from './gaussian-splats';
import { readPlyPositions, writeSplatPly } from './splat-ply';
import { splatStage } from './splat-stage';

/** A small fake reconstruction: a 20 × 20 grid of points 0.5 m apart on a gently sloping plane. */
function gridModel() {
  const points: string[] = [];
  let id = 1;
  for (let x = 0; x < 20; x++)
    for (let y = 0; y < 20; y++)
      points.push(`${id++} ${x * 0.5} ${y * 0.5} ${0.01 * x} ${(x * 12) % 256} 128 ${(y * 12) % 256} 0.5 1 ${id}`);
  return {
    cameras: '1 SIMPLE_RADIAL 4000 2250 2785.98 2000 1125 0.0094\n',
    images: '# header\n1 1 0 0 0 0 0 -40 1 A.JPG\n10 20 1 30 40 -1\n2 1 0 0 0 -5 0 -40 1 B.JPG\n\n',
    points: points.join('\n'),
  };
}

/** Stores `gridModel()` as the SfM output of `jobId`, as the SfM stage would. */
async function storeSfm(store: LocalFolderStore, jobId: string, workDir: string): Promise<void> {
  const m = gridModel();
  await putJson(store, keys.request(jobId), { source: { kind: 'folder', path: workDir } });
  const prefix = keys.stage(jobId, 'SfM');
  await store.put(`${prefix}/model/cameras.txt`, m.cameras);
  await store.put(`${prefix}/model/images.txt`, m.images);
  await store.put(`${prefix}/model/points3D.txt`, m.points);
  await putJson(store, keys.manifest(jobId, 'SfM'), {
    jobId,
    stage: 'SfM',
    startedAt: '2026-11-22T10:00:00Z',
    finishedAt: '2026-11-22T10:00:00Z',
    outputs: [declaredOutput('SfM', 'colmap-model', { key: `${prefix}/model/points3D.txt`, bytes: 0 })],
    summary: {},
  });
}

describe('SfM model, splat initialisation and compression', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'aerial-splat-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('parses a COLMAP TXT model, including an image that observes nothing', () => {
    const m = gridModel();
    const model = parseColmapText(m.cameras, m.images, m.points);
    expect(model.cameras[0]).toMatchObject({ model: 'SIMPLE_RADIAL', width: 4000, height: 2250 });
    expect(model.images.map((i) => [i.name, i.observations])).toEqual([
      ['A.JPG', 1],
      ['B.JPG', 0],
    ]);
    expect(model.points).toHaveLength(400);
    expect(cameraCenter([1, 0, 0, 0], [-5, 0, -40])).toEqual([5, -0, 40]);
  });

  test('the initialisation sets colour, opacity 0.1 and a scale from the nearest neighbours', () => {
    const m = gridModel();
    const splats = initialGaussians(parseColmapText(m.cameras, m.images, m.points).points);
    expect(splats.count).toBe(400);
    // Interior points of a 0.5 m grid: three nearest neighbours at ~0.5 m.
    expect(Math.exp(splats.scales[21 * 3]!)).toBeCloseTo(0.5, 2);
    expect(1 / (1 + Math.exp(-splats.opacities[0]!))).toBeCloseTo(0.1, 5);
    expect(0.5 + SH_C0 * splats.colorsDc[1]!).toBeCloseTo(128 / 255, 5);
    expect([...splats.rotations.slice(0, 4)]).toEqual([1, 0, 0, 0]);
  });

  test('nearest-neighbour distances match brute force', () => {
    const random = (i: number) => (((Math.sin(i * 12.9898) * 43758.5453) % 1) + 1) % 1;
    const positions = new Float32Array(Array.from({ length: 900 }, (_, i) => random(i) * 10));
    const fast = meanNeighbourDistances(positions, 3);
    for (const i of [0, 17, 150, 299]) {
      const d = [];
      for (let j = 0; j < 300; j++)
        if (j !== i)
          d.push(
            Math.hypot(
              positions[j * 3]! - positions[i * 3]!,
              positions[j * 3 + 1]! - positions[i * 3 + 1]!,
              positions[j * 3 + 2]! - positions[i * 3 + 2]!,
            ),
          );
      d.sort((a, b) => a - b);
      expect(fast[i]).toBeCloseTo((d[0]! + d[1]! + d[2]!) / 3, 4);
    }
  });

  test('a written 3DGS PLY reads back', () => {
    const m = gridModel();
    const splats = initialGaussians(parseColmapText(m.cameras, m.images, m.points).points);
    const ply = writeSplatPly(splats, ['test']);
    expect(ply.subarray(0, 200).toString()).toContain('property float f_dc_0');
    expect(roundTrip(splats.positions, readPlyPositions(ply))).toEqual({ maxError: 0, extent: expect.any(Number) });
  });

  test('Splat writes the untrained initialisation, labelled so; Compress makes a SOG whose round trip keeps positions', async () => {
    const store = new LocalFolderStore(join(dir, 'objects'));
    await storeSfm(store, 'job-3d', dir);
    const options = {
      store,
      environment: DEFAULT_ENVIRONMENTS.dev,
      handlers: { Splat: splatStage, Compress: compressStage },
    };
    const splat = await runStage({ jobId: 'job-3d', stage: 'Splat' }, options);
    expect(splat.summary).toMatchObject({ splats: 400, trained: false, note: expect.stringMatching(/untrained/) });
    const compress = await runStage({ jobId: 'job-3d', stage: 'Compress' }, options);
    const { summary } = parseStageManifest('Compress', compress);
    expect(summary.ratio).toBeGreaterThan(1);
    expect(summary.roundTrip.maxErrorM).toBeLessThan(0.002 * summary.roundTrip.extentM);
  }, 120_000);

  test('with AERIAL_SPLAT_TRAINER set, its output replaces the initialisation and the result is marked trained', async () => {
    const store = new LocalFolderStore(join(dir, 'objects'));
    await storeSfm(store, 'job-train', dir);
    // A stand-in trainer with the contract's arguments: <model dir> <initial ply> <output ply>.
    const trainer = join(dir, 'fake-trainer.sh');
    writeFileSync(trainer, '#!/bin/sh\necho "step 5/10"\ncp "$2" "$3"\necho "step 10/10"\n', { mode: 0o755 });
    const splat = await runStage(
      { jobId: 'job-train', stage: 'Splat' },
      {
        store,
        environment: DEFAULT_ENVIRONMENTS.dev,
        config: loadRuntimeConfig({ AERIAL_SPLAT_TRAINER: trainer }),
        handlers: { Splat: splatStage },
      },
    );
    expect(splat.summary).toMatchObject({ trained: true, trainer });
  });
});
