import { AerialError, keys } from '@aerial/contracts';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { isSupportedCrs } from '../../geo/projection';
import { enclosingTile, fromMercator, toMercator } from '../../geo/web-mercator';
import { fileOfObject, putJson } from '@aerial/runtime';
import { COG_TILE, ORTHOMOSAIC_OUTPUTS } from '../orthomosaic/orthomosaic-stage';
import { outputKey, readManifest, type StageHandler } from '@aerial/runtime';
import { round } from '../../numbers/round';
import { withLibvipsForManySmallImages } from './libvips-settings';
import { EncodeSlots } from './tile-encoding';
import { cutPyramid } from './tile-pyramid';

export const TILES_OUTPUTS = { tiles: 'tiles', tilejson: 'tilejson' } as const;

/** What Tiles reads of the Orthomosaic summary: the COG's georeference and pyramid, and its zoom. */
const MosaicSummarySchema = z.object({
  epsg: z.number().int().refine(isSupportedCrs, 'must be 3857 or a WGS84 UTM zone (32601–32660, 32701–32760)'),
  origin: z.tuple([z.number(), z.number()]),
  pixelSizeM: z.number().positive(),
  widthPx: z.number().int().positive(),
  heightPx: z.number().int().positive(),
  overviews: z.number().int().min(0),
  bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  zoom: z.number().int().min(0).max(30),
});

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
  const mosaic = await readManifest(store, jobId, 'Orthomosaic');
  const summary = MosaicSummarySchema.safeParse(mosaic.summary);
  if (!summary.success)
    throw new AerialError(
      'Aerial.InvalidInput',
      `Orthomosaic summary lacks the COG's georeference: ${summary.error.issues
        .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
        .join('; ')}`,
      'rerun Orthomosaic',
    );
  const { zoom: maxZoom, bbox } = summary.data;
  const [west, south, east, north] = bbox;
  const minZoom = enclosingTile(west, south, east, north, maxZoom).zoom;

  const work = await mkdtemp(join(tmpdir(), 'aerial-tiles-'));
  try {
    const cogPath = await fileOfObject(store, outputKey(mosaic, ORTHOMOSAIC_OUTPUTS.cog), work, 'orthomosaic.tif');
    const prefix = keys.stage(jobId, 'Tiles');
    for await (const old of store.list(`${prefix}/tiles/`)) await store.delete(old.key);

    let bytes = 0;
    let written = 0;
    const { perZoom, warped } = await cutPyramid(
      cogPath,
      { ...summary.data, maxZoom, minZoom },
      {
        slots: new EncodeSlots(ENCODE_CONCURRENCY),
        // gdal2tiles' WebP quality; effort 0 is libwebp's fastest method, ~20 % quicker than 1.
        webp: { quality: 75, alphaQuality: 90, effort: 0 },
        blockRows: COG_TILE,
        signal,
        onTile: async (zoom, x, y, webp) => {
          // No object metadata here: the job is in the key, Publish tags the published copies, and
          // the local store then writes each tile as one file (see LocalFolderStore).
          const info = await store.put(`${prefix}/tiles/${zoom}/${x}/${y}.webp`, webp, { contentType: 'image/webp' });
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
    const tilejsonKey = `${prefix}/tilejson.json`;
    const info = await putJson(store, tilejsonKey, tilejson);
    const total = Object.values(perZoom).reduce((s, v) => s + v, 0);
    return {
      outputs: [
        { key: `${prefix}/tiles/`, contentType: 'image/webp', bytes, role: TILES_OUTPUTS.tiles },
        { key: tilejsonKey, contentType: 'application/json', bytes: info.bytes, role: TILES_OUTPUTS.tilejson },
      ],
      summary: { tiles: total, perZoom, minZoom, maxZoom, format: 'webp', bytes, warpedZooms: warped },
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
};
