import { declaredOutput, DEFAULT_ENVIRONMENTS, keys, stageOutputKey, type SurveyGroundTruth } from '@aerial/contracts';
import { generateSurvey } from '@aerial/sample-data';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalFrame } from '../../geo/local-frame';
import { LocalFolderStore } from '@aerial/runtime';
import { putJson } from '@aerial/runtime';
import { STAGE_HANDLERS } from '../stage-handlers';
import { runStage } from '@aerial/runtime';
import { nadirCamera } from './test-support/colmap-camera';

/**
 * The Orthomosaic follows the SfM cameras when they agree with the registered photos, and keeps
 * the registration when the model is bent (SfM cameras written here from the truth, then bent).
 */
describe('Orthomosaic with SfM cameras', () => {
  let root: string;
  let store: LocalFolderStore;
  let truth: SurveyGroundTruth;
  const run = () => ({ store, environment: DEFAULT_ENVIRONMENTS.dev, handlers: STAGE_HANDLERS });
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'aerial-sfm-placement-'));
    store = new LocalFolderStore(join(root, 'objects'));
    truth = await generateSurvey({
      outDir: join(root, 'survey'),
      widthPx: 640,
      heightPx: 480,
      areaWidthM: 60,
      areaHeightM: 50,
    });
  }, 60_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  async function withSfm(jobId: string, bendM: number) {
    await putJson(store, keys.request(jobId), {
      source: { kind: 'folder', path: join(root, 'survey', 'images') },
      preset: 'full',
    });
    for (const stage of ['Ingest', 'Footprints'] as const) await runStage({ jobId, stage }, run());
    const frame = new LocalFrame(truth.origin.latitude, truth.origin.longitude);
    const images = truth.photos.map((photo) => {
      const [e, n] = frame.toLocal(photo.latitude, photo.longitude);
      // Bent: the model drifts east along the flight, by `bendM` at its northern end.
      const north0 = Math.min(...truth.photos.map((p) => frame.toLocal(p.latitude, p.longitude)[1]));
      return {
        image: photo.name,
        registered: true,
        heightAboveGroundM: photo.heightAboveGroundM,
        centerEnu: [e + (bendM * (n - north0)) / 50, n, photo.heightAboveGroundM],
        qvec: nadirCamera(photo.heading),
      };
    });
    const camerasKey = stageOutputKey(jobId, 'SfM', 'cameras');
    await putJson(store, camerasKey, { frame: 'ENU', origin: truth.origin, images });
    await putJson(store, keys.manifest(jobId, 'SfM'), {
      jobId,
      stage: 'SfM',
      startedAt: '2026-11-28T10:00:00Z',
      finishedAt: '2026-11-28T10:00:01Z',
      outputs: [declaredOutput('SfM', 'cameras', { key: camerasKey, bytes: 1 })],
      summary: {},
    });
    return (await runStage({ jobId, stage: 'Orthomosaic' }, run())).summary;
  }

  test('GIVEN SfM cameras where the photos are THEN the mosaic follows them', async () => {
    expect(await withSfm('sfm-agrees', 0)).toMatchObject({ placedFrom: 'sfm', registered: truth.photos.length });
  }, 120_000);

  test('GIVEN a model bent by 30 m THEN the registration stands and the summary says why', async () => {
    const summary = await withSfm('sfm-bent', 30);
    expect(summary.placedFrom).toBe('registration');
    expect(summary.sfmIgnored).toMatch(/the SfM cameras lie \d+(\.\d)? m \(median\) from the registered photos/);
  }, 120_000);
});
