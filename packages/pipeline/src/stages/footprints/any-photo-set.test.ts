import { DEFAULT_ENVIRONMENTS, type FootprintRecord, keys, type SurveyGroundTruth } from '@aerial/contracts';
import { generateSurvey, metresPerDegree, type SurveyOptions } from '@aerial/sample-data';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalFolderStore } from '@aerial/runtime';
import { getJson, putJson } from '@aerial/runtime';
import { ingestStage } from '../ingest/ingest-stage';
import { orthomosaicStage, type PlacementRow } from '../orthomosaic/orthomosaic-stage';
import { absoluteErrorM, relativeMisalignmentPx } from '../orthomosaic/test-support/placement-accuracy';
import { runStage } from '@aerial/runtime';
import { footprintsStage } from './footprints-stage';

interface Footprints {
  rows: FootprintRecord[];
  summary: Record<string, unknown>;
  placements: PlacementRow[];
}

/**
 * Photo sets without DJI's metadata: no XMP (no relative altitude, no yaw), a camera known only by
 * its EXIF tags, GPS altitude that drifts by 100 m, a camera mounted across the direction of
 * flight. The photos must place themselves.
 */
describe('any photo set: footprints and mosaic from the photos themselves', () => {
  let root: string;
  let store: LocalFolderStore;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'aerial-any-set-'));
    store = new LocalFolderStore(join(root, 'objects'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  async function run(jobId: string, options: Omit<SurveyOptions, 'outDir'>, request: object = {}) {
    const outDir = join(root, jobId);
    const truth = await generateSurvey({
      outDir,
      widthPx: 1000,
      heightPx: 750,
      areaWidthM: 110,
      areaHeightM: 90,
      gpsNoiseM: 1,
      seed: 11,
      ...options,
    });
    await putJson(store, keys.request(jobId), {
      source: { kind: 'folder', path: join(outDir, 'images') },
      preset: 'map',
      ...request,
    });
    const handlers = { Ingest: ingestStage, Footprints: footprintsStage, Orthomosaic: orthomosaicStage };
    const runOptions = { store, environment: DEFAULT_ENVIRONMENTS.dev, handlers };
    await runStage({ jobId, stage: 'Ingest' }, runOptions);
    const manifest = await runStage({ jobId, stage: 'Footprints' }, runOptions);
    await runStage({ jobId, stage: 'Orthomosaic' }, runOptions);
    const rows = (await getJson(store, `${keys.stage(jobId, 'Footprints')}/footprints.json`)) as FootprintRecord[];
    const { placements } = (await getJson(store, `${keys.stage(jobId, 'Orthomosaic')}/placements.json`)) as {
      placements: PlacementRow[];
    };
    return { truth, found: { rows, summary: manifest.summary, placements } satisfies Footprints };
  }

  function expectMatchesTruth(truth: SurveyGroundTruth, found: Footprints) {
    const scale = metresPerDegree(truth.origin.latitude);
    const level = truth.photos.filter((p) => !p.rollDeg);
    expect(found.rows.map((r) => r.image).sort()).toEqual(level.map((p) => p.name).sort());
    let worstCorner = 0;
    let worstHeight = 0;
    let worstHeading = 0;
    for (const photo of level) {
      const row = found.rows.find((r) => r.image === photo.name)!;
      const size = Math.hypot(row.widthM, row.heightM);
      const trueRing = photo.footprint.coordinates[0]!;
      row.footprint.coordinates[0]!.forEach(([lon, lat], i) => {
        const [tLon, tLat] = trueRing[i]!;
        worstCorner = Math.max(worstCorner, Math.hypot((lon - tLon) * scale.lon, (lat - tLat) * scale.lat) / size);
      });
      worstHeight = Math.max(worstHeight, Math.abs(row.heightAboveGroundM! / photo.heightAboveGroundM - 1));
      worstHeading = Math.max(worstHeading, Math.abs(((row.headingDeg! - photo.heading + 540) % 360) - 180));
      expect(row).toMatchObject({ heightSource: 'photo-scale', headingSource: 'registration', registered: true });
    }
    const absolute = absoluteErrorM(truth, found.placements);
    const relative = relativeMisalignmentPx(truth, found.placements);
    console.log(
      `worst corner ${(worstCorner * 100).toFixed(2)} % of the footprint, height ${(worstHeight * 100).toFixed(2)} %, heading ${worstHeading.toFixed(2)}°; ` +
        `absolute ${absolute.toFixed(3)} m RMS, relative ${relative.rms.toFixed(3)} px RMS`,
    );
    expect(worstCorner).toBeLessThan(0.02);
    expect(worstHeight).toBeLessThan(0.03);
    expect(worstHeading).toBeLessThan(2);
    expect(absolute).toBeLessThanOrEqual(1);
    expect(relative.count).toBeGreaterThan(500);
    expect(relative.rms).toBeLessThanOrEqual(2);
  }

  test('GIVEN no XMP, an unlisted camera (35 mm equivalent only), 100 m altitude drift and a 90° mount THEN footprints, height and heading match the truth', async () => {
    const { truth, found } = await run('any-set-mount90', {
      xmp: false,
      cameraTags: 'equivalent-only',
      altitudeDriftM: 100,
      mountDeg: 90,
    });
    expect(found.summary).toMatchObject({ placedFrom: 'photos', registered: truth.photos.length });
    expect(Math.abs((((found.summary.cameraMountDeg as number) - 90 + 540) % 360) - 180)).toBeLessThan(5);
    expectMatchesTruth(truth, found);
  }, 180_000);

  test('GIVEN a Canon known only by make and model and a 180° mount THEN the sensor table gives the camera and the photos the rest', async () => {
    const { truth, found } = await run('any-set-table', {
      xmp: false,
      cameraTags: 'table-only',
      altitudeDriftM: -40,
      mountDeg: 180,
      seed: 12,
    });
    expect(Math.abs((((found.summary.cameraMountDeg as number) - 180 + 540) % 360) - 180)).toBeLessThan(5);
    expectMatchesTruth(truth, found);
  }, 180_000);

  test('GIVEN a fixed-wing survey (85 % forward overlap, 3 m GPS noise, camera at 270°) THEN the lines tie together', async () => {
    const { truth, found } = await run('any-set-fixed-wing', {
      xmp: false,
      cameraTags: 'equivalent-only',
      forwardOverlap: 0.85,
      sideOverlap: 0.6,
      areaWidthM: 160,
      areaHeightM: 120,
      gpsNoiseM: 3,
      mountDeg: 270,
      seed: 15,
    });
    expect(found.summary).toMatchObject({ placedFrom: 'photos', registered: truth.photos.length });
    expectMatchesTruth(truth, found);
  }, 240_000);

  test('GIVEN two banked frames and no metadata to say so THEN registration finds the tilt and leaves them out with the reason', async () => {
    const { truth, found } = await run('any-set-banked', {
      xmp: false,
      cameraTags: 'equivalent-only',
      bankDeg: 20,
      bankedPhotos: [4, 9],
      seed: 13,
    });
    const skipped = found.summary.skipped as { image: string; code: string; reason: string }[];
    const banked = truth.photos.filter((p) => p.rollDeg).map((p) => p.name);
    expect(skipped.map((s) => s.image).sort()).toEqual(banked.sort());
    for (const s of skipped)
      expect(s).toMatchObject({ code: 'tilted', reason: expect.stringMatching(/tilted \d+(\.\d)?° from nadir/) });
    expectMatchesTruth(truth, found);
  }, 180_000);

  test('GIVEN the flight height as an option THEN heights come from it and footprints still from the photos', async () => {
    const { truth, found } = await run(
      'any-set-option',
      { xmp: false, cameraTags: 'equivalent-only', seed: 14 },
      { options: { flightHeightM: 60 } },
    );
    expect(found.rows.every((r) => r.heightSource === 'flight-height-option' && r.heightAboveGroundM === 60)).toBe(
      true,
    );
    expect(found.rows).toHaveLength(truth.photos.length);
  }, 180_000);
});
