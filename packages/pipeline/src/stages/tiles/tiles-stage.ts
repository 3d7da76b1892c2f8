import { AerialError, keys } from '@aerial/contracts';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import sharp from 'sharp';
import { z } from 'zod';
import { enclosingTile, TILE_SIZE, worldPixelToLonLat } from '../../geo/web-mercator';
import { putJson } from '../../object-store/object-store';
import { ORTHOMOSAIC_OUTPUTS } from '../orthomosaic/orthomosaic-stage';
import { outputKey, readManifest, type StageHandler } from '../stage-runtime';
import { round } from '../tools/round';
import { useAllCoresForLibvips } from '../tools/sharp-threads';

export const TILES_OUTPUTS = { tiles: 'tiles', tilejson: 'tilejson' } as const;

const MosaicSummarySchema = z.object({
  zoom: z.number().int().min(0).max(30),
  gridOrigin: z.tuple([z.number().int(), z.number().int()]),
  widthPx: z.number().int().positive(),
  heightPx: z.number().int().positive(),
  overviews: z.number().int().min(0),
  bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]),
});

const TRANSPARENT = { r: 0, g: 0, b: 0, alpha: 0 };
const UPLOAD_CONCURRENCY = 8;

/**
 * Tiles: XYZ tiles (256 px WebP) from the orthomosaic, from its own zoom (native GSD) down to the
 * zoom where the whole job fits one tile, and a TileJSON. The mosaic already lies on the XYZ pixel
 * grid of its zoom, and its overviews halve exactly, so each zoom is one libvips tile-cutting pass
 * (sharp's `tile()`, google layout, one level) over an overview page padded to the tile grid:
 * no resampling at the finest zoom, no per-tile encoding loop in JavaScript, and blank tiles skipped.
 */
export const tilesStage: StageHandler = async (invocation, context) => {
  const { store, signal } = context;
  const { jobId } = invocation;
  useAllCoresForLibvips();
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
    const cogPath = join(work, 'orthomosaic.tif');
    await pipeline(await store.getStream(outputKey(mosaic, ORTHOMOSAIC_OUTPUTS.cog)), createWriteStream(cogPath));
    const prefix = keys.stage(jobId, 'Tiles');
    for await (const old of store.list(`${prefix}/tiles/`)) await store.delete(old.key);

    const counts: Record<string, number> = {};
    let bytes = 0;
    const levels = maxZoom - minZoom + 1;
    for (let zoom = maxZoom; zoom >= minZoom; zoom--) {
      signal.throwIfAborted();
      const k = maxZoom - zoom;
      const page = Math.min(k, overviews);
      // Past the last overview, shrink it further.
      const shrink = 2 ** (k - page);
      const originX = gridOrigin[0] / 2 ** k;
      const originY = gridOrigin[1] / 2 ** k;
      const tileX = Math.floor(originX / TILE_SIZE);
      const tileY = Math.floor(originY / TILE_SIZE);
      let image = sharp(cogPath, { page, limitInputPixels: false });
      if (shrink > 1) {
        image = image.resize(Math.max(1, Math.round(widthPx / 2 ** k)), Math.max(1, Math.round(heightPx / 2 ** k)), {
          fit: 'fill',
          kernel: 'linear',
        });
      }
      const out = join(work, `z${zoom}`);
      await image
        .extend({
          left: Math.round(originX - tileX * TILE_SIZE),
          top: Math.round(originY - tileY * TILE_SIZE),
          background: TRANSPARENT,
        })
        .webp({ quality: 82, alphaQuality: 90, effort: 1 })
        .tile({ size: TILE_SIZE, layout: 'google', depth: 'one', skipBlanks: 0, background: TRANSPARENT })
        .toFile(out);
      // libvips writes <level>/<row>/<column>.webp; the XYZ grid wants <zoom>/<x>/<y>.
      const files: { key: string; path: string }[] = [];
      for (const row of await readdir(join(out, '0'))) {
        for (const name of await readdir(join(out, '0', row))) {
          const column = Number.parseInt(name, 10);
          files.push({
            key: `${prefix}/tiles/${zoom}/${tileX + column}/${tileY + Number(row)}.webp`,
            path: join(out, '0', row, name),
          });
        }
      }
      for (let i = 0; i < files.length; i += UPLOAD_CONCURRENCY) {
        const infos = await Promise.all(
          files.slice(i, i + UPLOAD_CONCURRENCY).map(async (f) =>
            store.put(f.key, await readFile(f.path), {
              contentType: 'image/webp',
              metadata: { job: jobId, product: 'tiles' },
            }),
          ),
        );
        bytes += infos.reduce((s, info) => s + info.bytes, 0);
      }
      counts[zoom] = files.length;
      await rm(out, { recursive: true, force: true });
      context.progress(((maxZoom - zoom + 1) / levels) * 100, `zoom ${zoom}: ${files.length} tiles`);
    }

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
