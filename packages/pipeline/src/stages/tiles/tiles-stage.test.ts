import {
  declaredOutput,
  DEFAULT_ENVIRONMENTS,
  keys,
  type StageManifest,
  stageOutputKey,
  parseStageManifest,
} from '@aerial/contracts';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ProjectedRaster } from '../../geo/projected-raster';
import { utmZone } from '../../geo/utm';
import { LocalFolderStore } from '@aerial/runtime';
import { getJson, putJson } from '@aerial/runtime';
import { runStage } from '@aerial/runtime';
import { writeTestCog } from './test-support/test-cog';
import { tilesStage } from './tiles-stage';

const REQUEST = {
  source: { kind: 'folder', path: '/photos' },
  preset: 'map',
  options: {},
  priority: 'normal',
  notify: [],
} as const;

describe('Tiles stage', () => {
  let root: string;
  let store: LocalFolderStore;
  let cog: Buffer;
  let overviews: number;
  // 600 × 400 px of 5 cm in UTM 30N, opaque; its outline in lon/lat is the bbox.
  const zone = utmZone(32630);
  const raster: ProjectedRaster = {
    epsg: 32630,
    origin: zone.toProjected(-1.2, 50.83),
    pixelSizeM: 0.05,
    widthPx: 600,
    heightPx: 400,
  };
  const corners = [
    [0, 0],
    [600, 0],
    [0, 400],
    [600, 400],
  ].map(([u, v]) => zone.toLonLat(raster.origin[0] + u! * 0.05, raster.origin[1] - v! * 0.05));
  const bbox = [
    Math.min(...corners.map((c) => c[0])),
    Math.min(...corners.map((c) => c[1])),
    Math.max(...corners.map((c) => c[0])),
    Math.max(...corners.map((c) => c[1])),
  ];
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'aerial-tiles-stage-'));
    store = new LocalFolderStore(join(root, 'objects'));
    const path = join(root, 'mosaic.tif');
    overviews = await writeTestCog(path, raster, (x, y) => [x & 255, y & 255, 90, 255]);
    cog = readFileSync(path);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  /** A job whose Orthomosaic manifest carries the COG and `summary` (its georeference) beside the report figures. */
  async function jobWith(jobId: string, summary: Record<string, unknown>): Promise<void> {
    const key = stageOutputKey(jobId, 'Orthomosaic', 'orthomosaic');
    const info = await store.put(key, cog);
    const report = {
      images: 4,
      registered: 4,
      placedFrom: 'registration',
      pairs: 3,
      candidatePairs: 3,
      rmsResidualPx: 0.5,
      yawFlagged: [],
      crs: 'EPSG:32630',
      gsdCm: 5,
      bytes: info.bytes,
      decodes: 4,
      seconds: { register: 0, render: 0, write: 0 },
    };
    const manifest: StageManifest = {
      jobId,
      stage: 'Orthomosaic',
      startedAt: '2026-12-01T10:00:00Z',
      finishedAt: '2026-12-01T10:01:00Z',
      outputs: [declaredOutput('Orthomosaic', 'orthomosaic', { key, bytes: info.bytes })],
      summary: { ...report, ...summary } as StageManifest['summary'],
    };
    await putJson(store, keys.manifest(jobId, 'Orthomosaic'), manifest);
  }
  const run = (jobId: string) =>
    runStage(
      { jobId, stage: 'Tiles', request: REQUEST },
      { store, environment: DEFAULT_ENVIRONMENTS.dev, handlers: { Tiles: tilesStage } },
    );

  test('a UTM mosaic is warped at every zoom, and the TileJSON takes its bounds and centre from the bbox', async () => {
    await jobWith('job-utm', {
      epsg: 32630,
      origin: raster.origin,
      pixelSizeM: 0.05,
      widthPx: 600,
      heightPx: 400,
      overviews,
      bbox,
      zoom: 21,
    });
    const manifest = await run('job-utm');
    expect(manifest.summary).toMatchObject({ maxZoom: 21, format: 'webp' });
    const { minZoom, warpedZooms, tiles } = parseStageManifest('Tiles', manifest).summary;
    expect(warpedZooms).toEqual(Array.from({ length: 21 - minZoom + 1 }, (_, k) => 21 - k));
    expect(tiles).toBeGreaterThan(0);
    const tilejson = (await getJson(store, `${keys.stage('job-utm', 'Tiles')}/tilejson.json`)) as {
      bounds: number[];
      center: number[];
      minzoom: number;
      maxzoom: number;
    };
    expect(tilejson.bounds).toEqual(bbox);
    expect(tilejson).toMatchObject({ minzoom: minZoom, maxzoom: 21 });
    expect(tilejson.center[0]).toBeCloseTo((bbox[0]! + bbox[2]!) / 2, 6);
    expect(tilejson.center[1]).toBeCloseTo((bbox[1]! + bbox[3]!) / 2, 5);
    let written = 0;
    for await (const tile of store.list(`${keys.stage('job-utm', 'Tiles')}/tiles/${minZoom}/`))
      written += tile.bytes > 0 ? 1 : 0;
    expect(written).toBe(1);
  });

  test('a summary without the georeference (the pre-UTM shape) is refused as invalid input naming the fields', async () => {
    await jobWith('job-old', {
      zoom: 21,
      gridOrigin: [262484736, 378347008],
      widthPx: 600,
      heightPx: 400,
      overviews,
      bbox,
    });
    await expect(run('job-old')).rejects.toMatchObject({
      name: 'Aerial.InvalidInput',
      message: expect.stringMatching(/epsg.*origin.*pixelSizeM/s),
    });
  });

  test('a CRS other than Web Mercator or WGS84 UTM is refused as invalid input', async () => {
    await jobWith('job-lambert', {
      epsg: 2154,
      origin: [650000, 6860000],
      pixelSizeM: 0.05,
      widthPx: 600,
      heightPx: 400,
      overviews,
      bbox,
      zoom: 21,
    });
    await expect(run('job-lambert')).rejects.toMatchObject({
      name: 'Aerial.InvalidInput',
      message: expect.stringMatching(/epsg: must be 3857 or a WGS84 UTM zone/),
    });
  });
});
