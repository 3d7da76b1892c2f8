import { AerialError, keys } from '@aerial/contracts';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { enclosingTile, TILE_SIZE, worldPixelToLonLat } from '../../geo/web-mercator';
import { fileOfObject, putJson } from '../../object-store/object-store';
import { COG_TILE, ORTHOMOSAIC_OUTPUTS } from '../orthomosaic/orthomosaic-stage';
import { outputKey, readManifest, type StageHandler } from '../stage-runtime';
import { round } from '../tools/round';
import { withLibvipsForManySmallImages } from '../tools/libvips-settings';
import { cutLevel, EncodeSlots } from './tile-cutter';

export const TILES_OUTPUTS = { tiles: 'tiles', tilejson: 'tilejson' } as const;

const MosaicSummarySchema = z.object({
  zoom: z.number().int().min(0).max(30),
  gridOrigin: z.tuple([z.number().int(), z.number().int()]),
  widthPx: z.number().int().positive(),
  heightPx: z.number().int().positive(),
  overviews: z.number().int().min(0),
  bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]),
});

/**
 * Tiles encoded and stored at once: enough that every core keeps encoding while others wait on the
 * store (measured on two cores: 4 at once left them idle a fifth of the time, 8–16 did not).
 */
const ENCODE_CONCURRENCY = Math.max(8, availableParallelism() * 4);

/**
 * Tiles: XYZ tiles (256 px WebP) from the orthomosaic, from its own zoom (native GSD) down to the
 * zoom where the whole job fits one tile, and a TileJSON. The mosaic already lies on the XYZ pixel
 * grid of its zoom, and its overviews halve exactly, so each zoom is cut from one page of the COG
 * (see tile-cutter.ts): no resampling at the finest zoom, blank tiles skipped, tiles encoded by
 * libvips concurrently.
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
      `Orthomosaic summary lacks the tile grid: ${summary.error.message}`,
      'rerun Orthomosaic',
    );
  const { zoom: maxZoom, gridOrigin, widthPx, heightPx, overviews, bbox } = summary.data;
  const minZoom = enclosingTile(bbox[0], bbox[1], bbox[2], bbox[3], maxZoom).zoom;

  const work = await mkdtemp(join(tmpdir(), 'aerial-tiles-'));
  try {
    const cogPath = await fileOfObject(store, outputKey(mosaic, ORTHOMOSAIC_OUTPUTS.cog), work, 'orthomosaic.tif');
    const prefix = keys.stage(jobId, 'Tiles');
    for await (const old of store.list(`${prefix}/tiles/`)) await store.delete(old.key);

    const counts: Record<string, number> = {};
    let bytes = 0;
    // The finest zoom has three quarters of the tiles: it is cut side by side with the others (one
    // after another), all sharing the encoder slots, so neither waits at the end of a level.
    const slots = new EncodeSlots(ENCODE_CONCURRENCY);
    // Progress in pixels cut: the finest zoom is three quarters of the work, not one level of eight.
    const pixelsOf = (zoom: number) => (widthPx * heightPx) / 4 ** (maxZoom - zoom);
    let allPixels = 0;
    for (let zoom = maxZoom; zoom >= minZoom; zoom--) allPixels += pixelsOf(zoom);
    const rowsDone = new Map<number, number>();
    let written = 0;
    const cut = async (zoom: number) => {
      signal.throwIfAborted();
      const k = maxZoom - zoom;
      const originX = gridOrigin[0] / 2 ** k;
      const originY = gridOrigin[1] / 2 ** k;
      const tileX = Math.floor(originX / TILE_SIZE);
      const tileY = Math.floor(originY / TILE_SIZE);
      counts[zoom] = await cutLevel(
        {
          cogPath,
          // Past the last overview, the reader shrinks it further.
          page: Math.min(k, overviews),
          blockRows: COG_TILE,
          width: Math.max(1, Math.round(widthPx / 2 ** k)),
          height: Math.max(1, Math.round(heightPx / 2 ** k)),
          offsetX: Math.round(originX - tileX * TILE_SIZE),
          offsetY: Math.round(originY - tileY * TILE_SIZE),
        },
        {
          slots,
          // gdal2tiles' WebP quality; effort 0 is libwebp's fastest method, ~20 % quicker than 1.
          webp: { quality: 75, alphaQuality: 90, effort: 0 },
          signal,
          onTile: async (column, row, webp) => {
            // No object metadata here: the job is in the key, Publish tags the published copies, and
            // the local store then writes each tile as one file (see LocalFolderStore).
            const info = await store.put(`${prefix}/tiles/${zoom}/${tileX + column}/${tileY + row}.webp`, webp, {
              contentType: 'image/webp',
            });
            bytes += info.bytes;
            written++;
          },
          onRows: (done, total) => {
            rowsDone.set(zoom, done / total);
            let cutPixels = 0;
            for (const [z, fraction] of rowsDone) cutPixels += pixelsOf(z) * fraction;
            context.progress((cutPixels / allPixels) * 100, `${written} tiles written (zooms ${minZoom}–${maxZoom})`);
          },
        },
      );
    };
    const cutting = await Promise.allSettled([
      cut(maxZoom),
      (async () => {
        for (let zoom = maxZoom - 1; zoom >= minZoom; zoom--) await cut(zoom);
      })(),
    ]);
    // Both sides have stopped writing before a failure is reported.
    for (const side of cutting) if (side.status === 'rejected') throw side.reason;

    const [west, south, east, north] = bbox;
    const [centreLon, centreLat] = worldPixelToLonLat(
      gridOrigin[0] + widthPx / 2,
      gridOrigin[1] + heightPx / 2,
      maxZoom,
    );
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
    const total = Object.values(counts).reduce((s, v) => s + v, 0);
    return {
      outputs: [
        { key: `${prefix}/tiles/`, contentType: 'image/webp', bytes, role: TILES_OUTPUTS.tiles },
        { key: tilejsonKey, contentType: 'application/json', bytes: info.bytes, role: TILES_OUTPUTS.tilejson },
      ],
      summary: { tiles: total, perZoom: counts, minZoom, maxZoom, format: 'webp', bytes },
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
};
