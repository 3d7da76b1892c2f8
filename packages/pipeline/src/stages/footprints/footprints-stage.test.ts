import {
  DEFAULT_ENVIRONMENTS,
  type FootprintRecord,
  keys,
  type SurveyGroundTruth,
  parseStageManifest,
} from '@aerial/contracts';
import { generateSurvey, metresPerDegree, sharedDatasetImages } from '@aerial/sample-data';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalFolderStore } from '@aerial/runtime';
import { getJson, putJson } from '@aerial/runtime';
import { ingestStage } from '../ingest/ingest-stage';
import { runStage } from '@aerial/runtime';
import { footprintsStage } from './footprints-stage';

const BRIGHTON = sharedDatasetImages('brighton-beach');

describe('Footprints', () => {
  let root: string;
  let store: LocalFolderStore;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'aerial-footprints-'));
    store = new LocalFolderStore(join(root, 'objects'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  async function footprintsOf(jobId: string, folder: string) {
    await putJson(store, keys.request(jobId), { source: { kind: 'folder', path: folder } });
    const options = {
      store,
      environment: DEFAULT_ENVIRONMENTS.dev,
      handlers: { Ingest: ingestStage, Footprints: footprintsStage },
    };
    await runStage({ jobId, stage: 'Ingest' }, options);
    const manifest = await runStage({ jobId, stage: 'Footprints' }, options);
    const rows = (await getJson(store, `${keys.stage(jobId, 'Footprints')}/footprints.json`)) as FootprintRecord[];
    return { manifest, rows };
  }

  test('GIVEN a generated survey THEN every footprint matches the ground truth within 1 % of its size', async () => {
    const dir = join(root, 'survey');
    const truth: SurveyGroundTruth = await generateSurvey({
      outDir: dir,
      widthPx: 640,
      heightPx: 480,
      areaWidthM: 60,
      areaHeightM: 50,
    });
    const { rows, manifest } = await footprintsOf('gen-1', join(dir, 'images'));
    expect(rows).toHaveLength(truth.photos.length);
    const scale = metresPerDegree(truth.origin.latitude);
    for (const photo of truth.photos) {
      const row = rows.find((r) => r.image === photo.name)!;
      const size = Math.hypot(row.widthM, row.heightM);
      const trueRing = photo.footprint.coordinates[0]!;
      row.footprint.coordinates[0]!.forEach(([lon, lat], i) => {
        const [tLon, tLat] = trueRing[i]!;
        const errorM = Math.hypot((lon - tLon) * scale.lon, (lat - tLat) * scale.lat);
        expect({ image: photo.name, corner: i, withinOnePercent: errorM < 0.01 * size }).toEqual({
          image: photo.name,
          corner: i,
          withinOnePercent: true,
        });
      });
      // Measured from the photos, not copied from EXIF: within 1 % of the truth.
      expect(Math.abs(row.gsdCm / truth.gsdCm - 1)).toBeLessThan(0.01);
    }
    // Planned overlaps are what the footprints report, to the percent.
    expect(manifest.summary.forwardOverlap).toMatchObject({ median: expect.closeTo(truth.forwardOverlap, 2) });
    expect(manifest.summary.sideOverlap).toMatchObject({ median: expect.closeTo(truth.sideOverlap, 2) });
  });

  const brighton = BRIGHTON ? test : test.skip;
  if (!BRIGHTON)
    console.warn('skipping the Brighton Beach footprints test: ../shared/datasets/brighton-beach/images is absent');

  brighton('Brighton Beach: 18 footprints, GSD ≈ 1.7 cm/px, forward overlap 60–66 %', async () => {
    const { rows, manifest } = await footprintsOf('brighton', BRIGHTON!);
    expect(rows).toHaveLength(18);
    for (const row of rows) {
      expect(row.gsdCm).toBeGreaterThan(1.6);
      expect(row.gsdCm).toBeLessThan(1.8);
      expect(row.heightSource).toBe('relative-altitude');
    }
    const { summary } = parseStageManifest('Footprints', manifest);
    expect(summary.gsdCm.median).toBeCloseTo(1.73, 1);
    expect(summary.forwardOverlap!.median).toBeGreaterThanOrEqual(0.6);
    expect(summary.forwardOverlap!.median).toBeLessThanOrEqual(0.66);
    // The six images rotated after the flight (yaw off by 180°) cover the same ground: a nadir
    // footprint is symmetric under a half turn.
    const rotated = rows.find((r) => r.image === 'DJI_0025.JPG')!;
    expect(rotated.forwardOverlap).toBeGreaterThan(0.6);
  });
});
