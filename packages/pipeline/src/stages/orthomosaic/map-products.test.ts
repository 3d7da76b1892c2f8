import {
  keys,
  PublicationSchema,
  QualityReportSchema,
  type SurveyGroundTruth,
  parseStageManifest,
} from '@aerial/contracts';
import { generateSurvey, sharedDatasetImages } from '@aerial/sample-data';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { utmZone } from '../../geo/utm';
import { LocalFolderStore } from '@aerial/runtime';
import { getJson, putJson } from '@aerial/runtime';
import { DEFAULT_ENVIRONMENTS } from '@aerial/contracts';
import { STAGE_HANDLERS } from '../stage-handlers';
import { runStage } from '@aerial/runtime';
import { type PlacementRow } from './orthomosaic-stage';
import { invert } from './similarity';
import { absoluteErrorM, relativeMisalignmentPx } from './test-support/placement-accuracy';
import { MAP_STAGES, runMapJob } from './test-support/run-map-job';

const BRIGHTON = sharedDatasetImages('brighton-beach');
const SCHEMAS = resolve(__dirname, '../../../../../../shared/schemas');
const GDALINFO = ['/usr/bin/gdalinfo', '/usr/local/bin/gdalinfo'].find((p) => existsSync(p));

interface Placements {
  epsg: number;
  origin: [number, number];
  pixelSizeM: number;
  placements: PlacementRow[];
}

describe('map products on a generated survey with GPS noise σ = 2 m and yaw noise σ = 3°', () => {
  let root: string;
  let store: LocalFolderStore;
  let truth: SurveyGroundTruth;
  let placements: Placements;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'aerial-map-'));
    store = new LocalFolderStore(join(root, 'objects'));
    truth = await generateSurvey({
      outDir: join(root, 'survey'),
      widthPx: 1000,
      heightPx: 750,
      areaWidthM: 90,
      areaHeightM: 70,
      gpsNoiseM: 2,
      yawNoiseDeg: 3,
      seed: 7,
    });
    await runMapJob(store, 'job-map-1', join(root, 'survey', 'images'));
    placements = (await getJson(store, `${keys.stage('job-map-1', 'Orthomosaic')}/placements.json`)) as Placements;
  }, 240_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test('absolute georeference error ≤ 1 m RMS against the true camera positions', () => {
    const rms = absoluteErrorM(truth, placements.placements);
    const recorded = Math.sqrt(
      truth.photos.reduce((s, p) => s + p.recordedError.eastM ** 2 + p.recordedError.northM ** 2, 0) /
        truth.photos.length,
    );
    console.log(`absolute error ${rms.toFixed(3)} m RMS (recorded GPS error ${recorded.toFixed(2)} m RMS)`);
    expect(placements.placements.every((p) => p.registered)).toBe(true);
    expect(rms).toBeLessThanOrEqual(1);
  });

  test('relative misalignment between overlapping images ≤ 2 output pixels RMS', () => {
    const { rms, count } = relativeMisalignmentPx(truth, placements.placements);
    console.log(
      `relative misalignment ${rms.toFixed(3)} px RMS over ${count} overlapping points (${placements.pixelSizeM} m px)`,
    );
    expect(count).toBeGreaterThan(500);
    expect(rms).toBeLessThanOrEqual(2);
    // The truth and the estimate agree on where the mosaic's UTM grid is, too.
    const [e, n] = utmZone(placements.epsg).toProjected(truth.photos[0]!.longitude, truth.photos[0]!.latitude);
    const x = (e - placements.origin[0]) / placements.pixelSizeM;
    const y = (placements.origin[1] - n) / placements.pixelSizeM;
    const [u, v] = invert(placements.placements[0]!.similarity, x, y);
    expect(Math.hypot(u, v)).toBeLessThan(100);
  });

  test('GeoParquet catalog reads back with hyparquet: one row per image, WKB geometry, geo metadata', async () => {
    const { parquetReadObjects, parquetMetadataAsync, asyncBufferFromFile } = await import('hyparquet');
    const file = await asyncBufferFromFile(
      join(root, 'objects', keys.stage('job-map-1', 'Metadata'), 'catalog', 'images.parquet'),
    );
    const rows = await parquetReadObjects({ file });
    expect(rows).toHaveLength(truth.photos.length);
    expect(rows.map((r) => r.image).sort()).toEqual(truth.photos.map((p) => p.name).sort());
    expect(rows.every((r) => r.accepted === true && typeof r.sun_elevation_deg === 'number')).toBe(true);
    // hyparquet decodes the WKB column into GeoJSON when the file declares it as GeoParquet.
    expect(rows[0]!.geometry).toMatchObject({ type: 'Polygon', coordinates: [expect.any(Array)] });
    const metadata = await parquetMetadataAsync(file);
    const geo = JSON.parse(metadata.key_value_metadata!.find((kv) => kv.key === 'geo')!.value!) as {
      primary_column: string;
      columns: Record<string, { encoding: string }>;
    };
    expect(geo).toMatchObject({ primary_column: 'geometry', columns: { geometry: { encoding: 'WKB' } } });
  });

  const withSchemas = existsSync(join(SCHEMAS, 'stac')) ? test : test.skip;
  withSchemas('STAC collection and items validate against the official STAC 1.0.0 schemas and extensions', async () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    const load = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as { $id?: string; id?: string };
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.json') ? [join(dir, e.name)] : [],
      );
    for (const path of files(join(SCHEMAS, 'stac'))) {
      const schema = load(path);
      ajv.addSchema(schema, schema.$id ?? schema.id);
    }
    const geojson = resolve(require.resolve('geojson-schema/package.json'), '..');
    ajv.addSchema(load(join(geojson, 'Feature.json')), 'https://geojson.org/schema/Feature.json');
    ajv.addSchema(load(join(geojson, 'Geometry.json')), 'https://geojson.org/schema/Geometry.json');
    ajv.addSchema({}, 'https://proj.org/schemas/v0.5/projjson.schema.json');
    const item = ajv.getSchema('https://schemas.stacspec.org/v1.0.0/item-spec/json-schema/item.json')!;
    const collection = ajv.getSchema(
      'https://schemas.stacspec.org/v1.0.0/collection-spec/json-schema/collection.json',
    )!;
    const projection = ajv.getSchema('https://stac-extensions.github.io/projection/v1.1.0/schema.json')!;
    const raster = ajv.getSchema('https://stac-extensions.github.io/raster/v1.1.0/schema.json')!;
    const stac = join(root, 'objects', keys.stage('job-map-1', 'Metadata'), 'stac');
    const itemDoc = JSON.parse(readFileSync(join(stac, 'items', 'job-map-1-orthomosaic.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    for (const [name, validate, doc] of [
      ['item', item, itemDoc],
      ['projection', projection, itemDoc],
      ['raster', raster, itemDoc],
      ['collection', collection, JSON.parse(readFileSync(join(stac, 'collection.json'), 'utf8'))],
    ] as const) {
      const ok = validate(doc);
      if (!ok) throw new Error(`${name}: ${ajv.errorsText(validate.errors)}`);
    }
    // The survey lies near Cambridge, UK: UTM zone 31N.
    expect(itemDoc).toMatchObject({ properties: { 'proj:epsg': 32631, gsd: expect.any(Number) } });
  });

  test('publish is atomic and idempotent: the pointer names the run, a rerun writes the same objects and no more', async () => {
    const pointer = PublicationSchema.parse(await getJson(store, 'published/job-map-1/current.json'));
    const list = async () => {
      const out: string[] = [];
      for await (const o of store.list('published/job-map-1/')) out.push(`${o.key}:${o.bytes}`);
      return out;
    };
    const before = await list();
    expect(before.some((k) => k.startsWith(`${pointer.prefix}/orthomosaic.tif:`))).toBe(true);
    expect(before.some((k) => k.startsWith(`${pointer.prefix}/tiles/`))).toBe(true);
    await runMapJob(store, 'job-map-1', join(root, 'survey', 'images'), ['Tiles', 'Metadata', 'Publish']);
    const again = PublicationSchema.parse(await getJson(store, 'published/job-map-1/current.json'));
    expect(again.runId).toBe(pointer.runId);
    expect(await list()).toEqual(before);
  }, 120_000);

  test("the published quality report carries the mosaic's and the tiles' figures from their summaries", async () => {
    const pointer = PublicationSchema.parse(await getJson(store, 'published/job-map-1/current.json'));
    expect(pointer.products['quality-report']).toBe('report/quality-report.json');
    const report = QualityReportSchema.parse(await getJson(store, `${pointer.prefix}/report/quality-report.json`));
    const summary = async <S extends 'Orthomosaic' | 'Tiles'>(stage: S) =>
      parseStageManifest(stage, await getJson(store, keys.manifest('job-map-1', stage))).summary;
    const mosaic = await summary('Orthomosaic');
    const tiles = await summary('Tiles');
    expect(report.stages).toEqual(['Ingest', 'Footprints', 'Orthomosaic', 'Tiles']);
    expect(report.products).toEqual({
      orthomosaic: { widthPx: mosaic.widthPx, heightPx: mosaic.heightPx, gsdCm: mosaic.gsdCm, bytes: mosaic.bytes },
      tiles: { tiles: tiles.tiles, minZoom: tiles.minZoom, maxZoom: tiles.maxZoom },
      splats: null,
    });
    expect(report.gsd?.mosaicCm).toBe(mosaic.gsdCm);
    expect(report.registration?.mosaic).toEqual({
      placedFrom: mosaic.placedFrom,
      rmsResidualPx: mosaic.rmsResidualPx,
      yawFlagged: mosaic.yawFlagged,
    });
    expect(report.photos).toMatchObject({ files: truth.photos.length, rejected: 0 });
  });

  test('with a published store of its own (the published bucket), Publish writes the products there and only there', async () => {
    const published = new LocalFolderStore(join(root, 'published-bucket'));
    await runMapJob(store, 'job-map-1', '', ['Publish'], { published });
    const pointer = PublicationSchema.parse(await getJson(published, 'published/job-map-1/current.json'));
    const inWork = PublicationSchema.parse(await getJson(store, 'published/job-map-1/current.json'));
    // The run id names the content, so both stores hold the same run.
    expect(pointer.runId).toBe(inWork.runId);
    const keysIn = async (s: LocalFolderStore) => {
      const out: string[] = [];
      for await (const o of s.list('published/job-map-1/')) out.push(`${o.key}:${o.bytes}`);
      return out;
    };
    const copied = await keysIn(published);
    expect(copied).toHaveLength(pointer.objects + 1);
    expect(copied).toEqual(await keysIn(store));
    const jobs: string[] = [];
    for await (const o of published.list('jobs/')) jobs.push(o.key);
    expect(jobs).toEqual([]);
  }, 120_000);

  test('a failed stage publishes nothing and Notify tells the reason', async () => {
    const jobId = 'job-map-fail';
    await runMapJob(store, jobId, join(root, 'survey', 'images'), ['GuardBudget', 'Ingest', 'Footprints']);
    // The orthomosaic's input vanishes: the stage fails with a named error.
    const registrationKey = `${keys.stage(jobId, 'Footprints')}/registration.json`;
    const registration = (await getJson(store, registrationKey)) as Record<string, unknown>;
    await putJson(store, registrationKey, { ...registration, images: [], pairs: [] });
    await expect(runMapJob(store, jobId, '', ['Orthomosaic'])).rejects.toThrow(/no image has a footprint/);
    const notify = await runStage(
      { jobId, stage: 'Notify', outcome: 'failed', failure: { Error: 'States.TaskFailed' } },
      { store, environment: DEFAULT_ENVIRONMENTS.dev, handlers: STAGE_HANDLERS },
    );
    expect(notify.summary).toMatchObject({
      outcome: 'failed',
      name: 'Aerial.QualityRejected',
      reason: expect.stringMatching(/no image has a footprint/),
    });
    // Publish, were it run anyway, refuses and writes nothing.
    await expect(runMapJob(store, jobId, '', ['Publish'])).rejects.toThrow(/failed; nothing is published|has not run/);
    const published: string[] = [];
    for await (const o of store.list(`published/${jobId}/`)) published.push(o.key);
    expect(published).toEqual([]);
  });
});

describe('map products on Brighton Beach', () => {
  const brighton = BRIGHTON ? test : test.skip;
  if (!BRIGHTON)
    console.warn('skipping the Brighton Beach map test: ../shared/datasets/brighton-beach/images is absent');
  let root: string;
  afterAll(() => root && rmSync(root, { recursive: true, force: true }));

  brighton(
    "all 18 images placed, the six rotated photos included and flagged; a COG GDAL reads in UTM at the photos' resolution",
    async () => {
      root = mkdtempSync(join(tmpdir(), 'aerial-brighton-map-'));
      const store = new LocalFolderStore(join(root, 'objects'));
      const started = performance.now();
      const manifests = await runMapJob(store, 'job-brighton-map', BRIGHTON!, MAP_STAGES);
      console.log(
        `Brighton map job: ${((performance.now() - started) / 1000).toFixed(1)} s`,
        JSON.stringify(manifests.get('Orthomosaic')!.summary),
      );
      const { placements } = (await getJson(
        store,
        `${keys.stage('job-brighton-map', 'Orthomosaic')}/placements.json`,
      )) as Placements;
      expect(placements).toHaveLength(18);
      expect(placements.every((p) => p.registered)).toBe(true);
      expect(placements.filter((p) => p.yawFlagged).map((p) => p.image)).toEqual([
        'DJI_0024.JPG',
        'DJI_0025.JPG',
        'DJI_0026.JPG',
        'DJI_0027.JPG',
        'DJI_0028.JPG',
        'DJI_0029.JPG',
      ]);
      // The pixels of every photo point the same way (the six were turned after the flight).
      const headings = placements.map((p) => p.headingDeg).sort((a, b) => a - b);
      const median = headings[9]!;
      for (const h of headings) expect(Math.abs(((h - median + 540) % 360) - 180)).toBeLessThan(15);
      const { summary } = parseStageManifest('Orthomosaic', manifests.get('Orthomosaic'));
      // Brighton Beach, Minnesota: UTM zone 15N, at the photos' own ~1.7 cm (not the XYZ grid's 2.55 cm).
      expect(summary.crs).toBe('EPSG:32615');
      const footprintGsd = parseStageManifest('Footprints', manifests.get('Footprints')).summary.gsdCm.median / 100;
      expect(Math.abs(summary.pixelSizeM / footprintGsd - 1)).toBeLessThan(0.1);
      if (!GDALINFO) {
        console.warn('gdalinfo is absent (tools/services/setup.sh installs gdal-bin): COG not checked by GDAL');
        return;
      }
      const info = JSON.parse(
        execFileSync(
          GDALINFO,
          ['-json', join(root, 'objects', keys.stage('job-brighton-map', 'Orthomosaic'), 'orthomosaic.tif')],
          { encoding: 'utf8' },
        ),
      ) as {
        coordinateSystem: { wkt: string };
        wgs84Extent: { coordinates: number[][][] };
        bands: { overviews?: unknown[] }[];
        metadata: Record<string, Record<string, string>>;
      };
      expect(info.coordinateSystem.wkt).toMatch(/ID\["EPSG",32615\]\]$/);
      const ring = info.wgs84Extent.coordinates[0]!;
      const lons = ring.map((c) => c[0]!);
      const lats = ring.map((c) => c[1]!);
      expect(Math.min(...lons)).toBeCloseTo(summary.bbox[0]!, 6);
      expect(Math.max(...lats)).toBeCloseTo(summary.bbox[3]!, 6);
      expect(info.bands).toHaveLength(4);
      expect(info.bands[0]!.overviews!.length).toBeGreaterThanOrEqual(3);
      expect(info.metadata.IMAGE_STRUCTURE).toMatchObject({ COMPRESSION: 'DEFLATE' });
    },
    300_000,
  );
});
