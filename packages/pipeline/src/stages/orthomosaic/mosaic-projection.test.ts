import { DEFAULT_ENVIRONMENTS, keys, parseStageManifest } from '@aerial/contracts';
import { generateSurvey } from '@aerial/sample-data';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mercatorResolution } from '../../geo/web-mercator';
import { LocalFolderStore } from '@aerial/runtime';
import { putJson } from '@aerial/runtime';
import { STAGE_HANDLERS } from '../stage-handlers';
import { runStage } from '@aerial/runtime';

describe('the orthomosaic projection option', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'aerial-projection-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  async function mosaicAndTiles(jobId: string, options: object) {
    const store = new LocalFolderStore(join(root, 'objects'));
    const outDir = join(root, jobId);
    await generateSurvey({ outDir, widthPx: 640, heightPx: 480, areaWidthM: 60, areaHeightM: 50, seed: 3 });
    await putJson(store, keys.request(jobId), {
      source: { kind: 'folder', path: join(outDir, 'images') },
      preset: 'map',
      options,
    });
    const run = { store, environment: DEFAULT_ENVIRONMENTS.dev, handlers: STAGE_HANDLERS };
    for (const stage of ['Ingest', 'Footprints'] as const) await runStage({ jobId, stage }, run);
    const mosaic = await runStage({ jobId, stage: 'Orthomosaic' }, run);
    const tiles = await runStage({ jobId, stage: 'Tiles' }, run);
    return {
      mosaic: parseStageManifest('Orthomosaic', mosaic).summary,
      tiles: parseStageManifest('Tiles', tiles).summary,
    };
  }

  test("GIVEN no option THEN UTM at the photos' resolution, and the tiles are warped from it", async () => {
    const { mosaic, tiles } = await mosaicAndTiles('proj-utm', {});
    expect(mosaic.epsg).toBe(32631);
    expect(mosaic.pixelSizeM * 100).toBeCloseTo(mosaic.gsdCm, 6);
    expect(tiles.warpedZooms).toContain(tiles.maxZoom);
  }, 120_000);

  test('GIVEN web-mercator THEN EPSG:3857 on the XYZ grid, cut into tiles without resampling', async () => {
    const { mosaic, tiles } = await mosaicAndTiles('proj-3857', { mosaicProjection: 'web-mercator' });
    expect(mosaic.epsg).toBe(3857);
    const resolution = mercatorResolution(mosaic.zoom);
    expect(mosaic.pixelSizeM).toBeCloseTo(resolution, 9);
    // The origin is a tile corner of the world grid.
    const tilesFromWest = (mosaic.origin[0] + Math.PI * 6_378_137) / (256 * resolution);
    expect(Math.abs(tilesFromWest - Math.round(tilesFromWest))).toBeLessThan(1e-6);
    expect(tiles.warpedZooms).toEqual([]);
  }, 120_000);
});
