import { AerialError, declaredOutput, stageOutputKey, type StageSummary } from '@aerial/contracts';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSupportedCrs } from '../../geo/projection';
import { enclosingTile, fromMercator, toMercator } from '../../geo/web-mercator';
import { fileOfObject, putJson } from '@aerial/runtime';
import { COG_TILE } from '../orthomosaic/orthomosaic-stage';
import { stageOutputs, type StageHandler } from '@aerial/runtime';
import { round } from '../../numbers/round';
import { withLibvipsForManySmallImages } from './libvips-settings';
import { EncodeSlots } from './tile-encoding';
import { cutPyramid } from './tile-pyramid';

/**
 * Tiles encoded and stored at once: enough that every core keeps encoding while others wait on the
 * store (measured on two cores: 4 at once left them idle a fifth of the time, 8–16 did not).
 */
const ENCODE_CONCURRENCY = Math.max(8, availableParallelism() * 4);

/**
 * Tiles: XYZ tiles (256 px WebP) from the orthomosaic, from its own zoom (nearest its ground
 * resolution) down to the zoom where the whole job fits one tile, and a TileJSON. A 3857 mosaic on
 * the XYZ pixel grid is cut from the COG's pages as they lie; a UTM one is resampled (see
 * tile-pyramid.ts). Blank tiles are skipped, tiles are encoded by libvips concurrently.
 */
export const tilesStage: StageHandler = (invocation, context) =>
  // Each tile is a small libvips pipeline of its own and many run at once: one thread each.
  withLibvipsForManySmallImages(() => cutTiles(invocation, context));

const cutTiles: StageHandler = async (invocation, context) => {
  const { store, signal } = context;
  const { jobId } = invocation;
  const mosaic = await stageOutputs(store, jobId, 'Orthomosaic');
  // The summary carries the COG's georeference and pyramid, and its zoom.
  const summary = mosaic.summary();
  if (!isSupportedCrs(summary.epsg))
    throw new AerialError(
      'Aerial.InvalidInput',
      `invalid Orthomosaic summary: epsg: must be 3857 or a WGS84 UTM zone (32601–32660, 32701–32760), not ${summary.epsg}`,
      'rerun Orthomosaic',
    );
  const { zoom: maxZoom, bbox } = summary;
  const [west, south, east, north] = bbox;
  const minZoom = enclosingTile(west, south, east, north, maxZoom).zoom;

  const work = await mkdtemp(join(tmpdir(), 'aerial-tiles-'));
  try {
    const cogPath = await fileOfObject(store, mosaic.output('orthomosaic').key, work, 'orthomosaic.tif');
    const tilesPrefix = stageOutputKey(jobId, 'Tiles', 'tiles');
    for await (const old of store.list(tilesPrefix)) await store.delete(old.key);

    let bytes = 0;
    let written = 0;
    const { perZoom, warped } = await cutPyramid(
      cogPath,
      { ...summary, maxZoom, minZoom },
      {
        slots: new EncodeSlots(ENCODE_CONCURRENCY),
        // gdal2tiles' WebP quality; effort 0 is libwebp's fastest method, ~20 % quicker than 1.
        webp: { quality: 75, alphaQuality: 90, effort: 0 },
        blockRows: COG_TILE,
        signal,
        onTile: async (zoom, x, y, webp) => {
          // No object metadata here: the job is in the key, Publish tags the published copies, and
          // the local store then writes each tile as one file (see LocalFolderStore).
          const info = await store.put(`${tilesPrefix}${zoom}/${x}/${y}.webp`, webp, { contentType: 'image/webp' });
          bytes += info.bytes;
          written++;
        },
        onProgress: (fraction) =>
          context.progress(fraction * 100, `${written} tiles written (zooms ${minZoom}–${maxZoom})`),
      },
    );

    // The centre as the map shows it: halfway in Web Mercator metres, not in latitude.
    const [x0, y0] = toMercator(west, south);
    const [x1, y1] = toMercator(east, north);
    const [centreLon, centreLat] = fromMercator((x0 + x1) / 2, (y0 + y1) / 2);
    const tilejson = {
      tilejson: '3.0.0',
      name: `Aerial orthomosaic ${jobId}`,
      description: 'Orthomosaic tiles (WebP, 256 px, XYZ) from Aerial Platform',
      attribution: 'Aerial Platform',
      scheme: 'xyz',
      // Relative to this document; the Hub rewrites it to its own tile route.
      tiles: ['tiles/{z}/{x}/{y}.webp'],
      minzoom: minZoom,
      maxzoom: maxZoom,
      bounds: [west, south, east, north],
      center: [round(centreLon, 7), round(centreLat, 7), Math.min(maxZoom, minZoom + 2)],
    };
    const tilejsonKey = stageOutputKey(jobId, 'Tiles', 'tilejson');
    const info = await putJson(store, tilejsonKey, tilejson);
    const total = Object.values(perZoom).reduce((s, v) => s + v, 0);
    return {
      outputs: [
        declaredOutput('Tiles', 'tiles', { key: tilesPrefix, bytes }),
        declaredOutput('Tiles', 'tilejson', { key: tilejsonKey, bytes: info.bytes }),
      ],
      summary: {
        tiles: total,
        perZoom,
        minZoom,
        maxZoom,
        format: 'webp',
        bytes,
        warpedZooms: warped,
      } satisfies StageSummary<'Tiles'>,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
};
