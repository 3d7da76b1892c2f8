import { DEFAULT_ENVIRONMENTS, keys, loadRuntimeConfig, parseStageManifest } from '@aerial/contracts';
import { sharedDatasetImages } from '@aerial/sample-data';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { LocalFolderStore } from '@aerial/runtime';
import { getJson, putJson } from '@aerial/runtime';
import { compressStage } from '../compress/compress-stage';
import { ingestStage } from '../ingest/ingest-stage';
import { splatStage } from '../splat/splat-stage';
import { runStage } from '@aerial/runtime';
import { colmapVersion } from './colmap-runner';
import { sfmStage } from './sfm-stage';

const BRIGHTON = sharedDatasetImages('brighton-beach');
const COLMAP = colmapVersion();

describe('SfM', () => {
  let dir: string;
  let store: LocalFolderStore;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'aerial-sfm-'));
    store = new LocalFolderStore(join(dir, 'objects'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const handlers = { Ingest: ingestStage, SfM: sfmStage, Splat: splatStage, Compress: compressStage };
  const run = (jobId: string, stage: 'Ingest' | 'SfM' | 'Splat' | 'Compress', env: Record<string, string> = {}) =>
    runStage(
      { jobId, stage },
      { store, environment: DEFAULT_ENVIRONMENTS.dev, config: loadRuntimeConfig(env), handlers },
    );

  test('without COLMAP the stage fails early with Aerial.ToolMissing and how to install it', async () => {
    await putJson(store, keys.request('job-nocolmap'), { source: { kind: 'folder', path: dir } });
    await expect(run('job-nocolmap', 'SfM', { COLMAP_BINARY: join(dir, 'no-such-colmap') })).rejects.toMatchObject({
      name: 'Aerial.ToolMissing',
      message: expect.stringMatching(/apt-get install colmap/),
    });
  });

  const withData = BRIGHTON && COLMAP ? test : test.skip;
  if (!BRIGHTON)
    console.warn('skipping the Brighton Beach SfM test: ../shared/datasets/brighton-beach/images is absent');
  if (!COLMAP)
    console.warn('skipping the Brighton Beach SfM test: colmap is not installed (tools/services/setup.sh installs it)');

  withData(
    'Brighton Beach: 18/18 registered, reprojection < 1 px, GPS alignment < 1 m; then splats and SOG',
    async () => {
      await putJson(store, keys.request('brighton'), { source: { kind: 'folder', path: BRIGHTON } });
      await run('brighton', 'Ingest');
      const started = performance.now();
      const sfm = await run('brighton', 'SfM');
      const seconds = (performance.now() - started) / 1000;
      const { summary } = parseStageManifest('SfM', sfm);
      console.log(`SfM on Brighton Beach with ${COLMAP}: ${seconds.toFixed(1)} s, ${JSON.stringify(summary)}`);
      expect(summary.registered).toBe(18);
      expect(summary.images).toBe(18);
      expect(summary.meanReprojectionErrorPx).toBeLessThan(1);
      expect(summary.gpsAlignmentErrorM?.mean).toBeLessThan(1);
      const cameras = (await getJson(store, `${keys.stage('brighton', 'SfM')}/cameras.json`)) as {
        frame: string;
        images: { registered: boolean; centerWgs84: number[] }[];
      };
      expect(cameras.frame).toBe('ENU');
      // Camera positions land near the photos' GPS: Brighton Beach, Minnesota.
      for (const image of cameras.images) {
        expect(image.registered).toBe(true);
        expect(image.centerWgs84[0]).toBeCloseTo(-91.994, 2);
        expect(image.centerWgs84[1]).toBeCloseTo(46.843, 2);
      }
      const splat = await run('brighton', 'Splat');
      expect(splat.summary).toMatchObject({ trained: false });
      const compress = await run('brighton', 'Compress');
      console.log(`Compress on Brighton Beach: ${JSON.stringify(compress.summary)}`);
      expect(parseStageManifest('Compress', compress).summary.ratio).toBeGreaterThan(2);
    },
    600_000,
  );
});
