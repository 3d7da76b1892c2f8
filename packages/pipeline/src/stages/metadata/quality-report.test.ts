import { QualityReportSchema, keys, parseStageManifest, type StageSummary } from '@aerial/contracts';
import { generateSurvey } from '@aerial/sample-data';
import { composeQualityReport, getJson, LocalFolderStore, overallResidualPx } from '@aerial/runtime';
import { ImageRegistrationSchema } from '@aerial/contracts';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { broken } from '../ingest/test-support/bad-inputs';
import { runMapJob } from '../orthomosaic/test-support/run-map-job';

/**
 * A survey job's report (GuardBudget, Ingest and Footprints ran: what the survey preset makes) on
 * a generated flight with two bad files: every figure comes from the stage summaries and outputs.
 */
describe('the quality report of a generated survey with two bad files', () => {
  let root: string;
  let store: LocalFolderStore;
  const jobId = 'job-report-1';
  let ingest: StageSummary<'Ingest'>;
  let footprints: StageSummary<'Footprints'>;
  let photos: string[];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'aerial-report-'));
    store = new LocalFolderStore(join(root, 'objects'));
    await generateSurvey({
      outDir: join(root, 'survey'),
      widthPx: 800,
      heightPx: 600,
      areaWidthM: 70,
      areaHeightM: 50,
      seed: 11,
    });
    const images = join(root, 'survey', 'images');
    photos = readdirSync(images).sort();
    const first = readFileSync(join(images, photos[0]!));
    writeFileSync(join(images, 'ZZ_BLACK.JPG'), await broken.black(first));
    writeFileSync(join(images, 'flight-log.txt'), broken.text());
    const manifests = await runMapJob(store, jobId, images, ['GuardBudget', 'Ingest', 'Footprints']);
    ingest = parseStageManifest('Ingest', manifests.get('Ingest')).summary;
    footprints = parseStageManifest('Footprints', manifests.get('Footprints')).summary;
  }, 180_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test('photo counts, flight facts, GSD and registration equal the stage summaries', async () => {
    const report = QualityReportSchema.parse(await composeQualityReport(store, jobId));
    expect(report.stages).toEqual(['Ingest', 'Footprints']);
    expect(report.photos).toEqual({
      files: ingest.files,
      accepted: ingest.accepted - footprints.skipped.length,
      rejected: ingest.rejected + footprints.skipped.length,
    });
    expect(report.photos).toMatchObject({ files: photos.length + 2, rejected: 2 });
    expect(report.flight).toMatchObject({
      heightAboveGroundM: footprints.heightAboveGroundM,
      heightSources: footprints.heightSources,
      forwardOverlap: footprints.forwardOverlap,
      sideOverlap: footprints.sideOverlap,
      bbox: footprints.bbox,
    });
    expect(report.camera).toMatchObject({ make: expect.any(String), widthPx: 800, heightPx: 600, otherCameras: 0 });
    expect(report.gsd?.cm).toEqual(footprints.gsdCm);
    expect(report.gsd?.mosaicCm).toBeNull();
    const gsds = report.gsd!.perPhoto.map((p) => p.gsdCm);
    expect(gsds).toHaveLength(footprints.images);
    expect(Math.min(...gsds)).toBeCloseTo(footprints.gsdCm.min, 2);
    expect(Math.max(...gsds)).toBeCloseTo(footprints.gsdCm.max, 2);

    const registration = report.registration!;
    expect(registration).toMatchObject({
      placedFrom: footprints.placedFrom,
      pairs: footprints.pairs,
      candidatePairs: footprints.candidatePairs,
      rmsResidualPx: footprints.rmsResidualPx,
      mosaic: null,
      sfm: null,
    });
    expect(registration.perPhoto).toHaveLength(footprints.images);
    expect(registration.perPhoto.filter((p) => p.registered)).toHaveLength(footprints.registered);
    // Per photo, the residuals over the matches the adjustment used: together they give its figure.
    const kept = ImageRegistrationSchema.parse(
      await getJson(store, `${keys.stage(jobId, 'Footprints')}/registration.json`),
    );
    const overall = overallResidualPx(kept)!;
    console.log(`residual: summary ${footprints.rmsResidualPx} px, over the kept matches ${overall.toFixed(3)} px`);
    expect(Math.abs(overall - footprints.rmsResidualPx)).toBeLessThanOrEqual(0.05 * footprints.rmsResidualPx + 0.005);
    const perPhoto = registration.perPhoto.flatMap((p) => (p.residualPx === null ? [] : [p.residualPx]));
    expect(perPhoto.length).toBeGreaterThan(0);
    expect(Math.min(...perPhoto)).toBeLessThanOrEqual(overall + 1e-3);
    expect(Math.max(...perPhoto)).toBeGreaterThanOrEqual(overall - 1e-3);
  });

  test('coverage: one footprint per placed photo; the overlap grid counts several photos inside the flight', async () => {
    const report = (await composeQualityReport(store, jobId))!;
    const { footprints: rings, grid } = report.coverage!;
    expect(rings).toHaveLength(footprints.images);
    expect(grid.counts).toHaveLength(grid.columns * grid.rows);
    expect(Math.max(grid.columns, grid.rows)).toBe(64);
    // The middle of a survey flown with ~60–70 % overlap is seen by several photos.
    const middle = grid.counts[Math.floor(grid.rows / 2) * grid.columns + Math.floor(grid.columns / 2)]!;
    expect(middle).toBeGreaterThanOrEqual(2);
    expect(Math.max(...grid.counts)).toBeLessThanOrEqual(footprints.images);
    // Covered ground: at least the surveyed area, at most the footprints' bounding box.
    const [w, s, e, n] = footprints.bbox;
    const bboxM2 = (e! - w!) * 111_320 * Math.cos((((s! + n!) / 2) * Math.PI) / 180) * (n! - s!) * 111_320;
    expect(grid.coveredM2.one).toBeGreaterThan(70 * 50 * 0.9);
    expect(grid.coveredM2.one).toBeLessThanOrEqual(bboxM2 * 1.01);
    expect(grid.coveredM2.two).toBeLessThanOrEqual(grid.coveredM2.one);
    expect(grid.coveredM2.three).toBeLessThanOrEqual(grid.coveredM2.two);
  });

  test('rejected photos: reasons from Ingest, a thumbnail for the one that decodes', async () => {
    const report = (await composeQualityReport(store, jobId))!;
    expect(report.rejected.map((r) => [r.image, r.stage, r.reasons.map((x) => x.code)])).toEqual(
      [
        ['ZZ_BLACK.JPG', 'Ingest', ['black']],
        ['flight-log.txt', 'Ingest', ['not-an-image']],
      ].sort((a, b) => (a[0]! < b[0]! ? -1 : 1)) as unknown[],
    );
    const black = report.rejected.find((r) => r.image === 'ZZ_BLACK.JPG')!;
    expect(report.rejected.find((r) => r.image === 'flight-log.txt')!.thumbnail).toBeNull();
    const jpeg = Buffer.from(black.thumbnail!.dataUrl.split(',')[1]!, 'base64');
    const meta = await sharp(jpeg).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 240, 180]);
    expect(black.thumbnail).toMatchObject({ width: 240, height: 180 });
  });
});
