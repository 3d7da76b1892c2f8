import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { type ProjectedRaster } from '../../geo/projected-raster';
import { utmZone } from '../../geo/utm';
import {
  fromMercator,
  mercatorResolution,
  TILE_SIZE,
  toMercator,
  worldPixel,
  worldPixelToMercator,
} from '../../geo/web-mercator';
import { EncodeSlots } from './tile-encoding';
import { cutPyramid, type MosaicPyramid, planLevel } from './tile-pyramid';
import { tilesOf, warpArea, warpLevel } from './tile-warper';
import { type Paint, writeTestCog } from './test-support/test-cog';

const T = TILE_SIZE;
const RED = [255, 0, 0, 255] as const;
const BLUE = [0, 0, 255, 255] as const;
const GREY = [128, 128, 128, 255] as const;
const CLEAR = [0, 0, 0, 0] as const;

/**
 * 1600 × 900 px: the left half transparent (where a mosaic has no photos), the right half grey
 * with a red square of 41 px centred on pixel (1000, 300) and a blue one on (1400, 650).
 */
const W = 1600;
const H = 900;
const square = (x: number, y: number, cx: number, cy: number) => Math.abs(x - cx) <= 20 && Math.abs(y - cy) <= 20;
const pattern: Paint = (x, y) => {
  if (x < 800) return CLEAR;
  if (square(x, y, 1000, 300)) return RED;
  if (square(x, y, 1400, 650)) return BLUE;
  return GREY;
};

/** Lon/lat of raster pixel coordinates, computed independently of the code under test. */
function lonLatOf(raster: ProjectedRaster, u: number, v: number): [number, number] {
  const e = raster.origin[0] + u * raster.pixelSizeM;
  const n = raster.origin[1] - v * raster.pixelSizeM;
  return raster.epsg === 3857 ? fromMercator(e, n) : utmZone(raster.epsg).toLonLat(e, n);
}

/** Tiles cut, by `z/x/y`. */
type Tiles = Map<string, Buffer>;

async function cut(cogPath: string, mosaic: MosaicPyramid): Promise<{ tiles: Tiles; warped: number[] }> {
  const tiles: Tiles = new Map();
  const { warped } = await cutPyramid(cogPath, mosaic, {
    slots: new EncodeSlots(4),
    // Lossless: the assertions read pixels as resampled.
    webp: { lossless: true, effort: 0 },
    blockRows: 256,
    onTile: async (z, x, y, webp) => void tiles.set(`${z}/${x}/${y}`, webp),
  });
  return { tiles, warped };
}

/** RGBA of world pixels [x0, x0 + w) × [y0, y0 + h) at `zoom`; tiles not written read as transparent. */
async function worldWindow(tiles: Tiles, zoom: number, x0: number, y0: number, w: number, h: number) {
  const out = new Uint8Array(w * h * 4);
  for (let ty = Math.floor(y0 / T); ty * T < y0 + h; ty++) {
    for (let tx = Math.floor(x0 / T); tx * T < x0 + w; tx++) {
      const webp = tiles.get(`${zoom}/${tx}/${ty}`);
      if (!webp) continue;
      const data = await sharp(webp).ensureAlpha().raw().toBuffer();
      for (let y = Math.max(y0, ty * T); y < Math.min(y0 + h, (ty + 1) * T); y++)
        for (let x = Math.max(x0, tx * T); x < Math.min(x0 + w, (tx + 1) * T); x++)
          out.set(
            data.subarray(((y - ty * T) * T + x - tx * T) * 4, ((y - ty * T) * T + x - tx * T) * 4 + 4),
            ((y - y0) * w + x - x0) * 4,
          );
    }
  }
  return out;
}

/**
 * Centre (world pixels) of a coloured square near (x, y): the mean position weighted by how much
 * more of `channel` (0 red, 2 blue) than green each pixel shows. Bilinear resampling blends
 * linearly, so the weights of the blended edge pixels keep the centre to a small fraction of a pixel.
 */
async function centreOf(tiles: Tiles, zoom: number, [x, y]: [number, number], channel: number, reach: number) {
  const x0 = Math.floor(x) - reach;
  const y0 = Math.floor(y) - reach;
  const size = 2 * reach;
  const rgba = await worldWindow(tiles, zoom, x0, y0, size, size);
  let sx = 0;
  let sy = 0;
  let sum = 0;
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) {
      const p = (j * size + i) * 4;
      const weight = (Math.max(0, rgba[p + channel]! - rgba[p + 1]!) * rgba[p + 3]!) / 255;
      sx += (x0 + i + 0.5) * weight;
      sy += (y0 + j + 0.5) * weight;
      sum += weight;
    }
  }
  return { centre: [sx / sum, sy / sum] as [number, number], pixels: sum / 255 };
}

describe('tiles of a mosaic in any supported CRS', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'aerial-tile-pyramid-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const utmAt = (epsg: number, lon: number, lat: number, pixelSizeM: number): ProjectedRaster => ({
    epsg,
    origin: utmZone(epsg).toProjected(lon, lat),
    pixelSizeM,
    widthPx: W,
    heightPx: H,
  });
  test.each([
    // 1.8° east of the zone's central meridian: the UTM grid is turned 1.4° from Web Mercator's.
    ['UTM 30N (EPSG:32630), near Brighton', utmAt(32630, -1.2, 50.83, 0.1)],
    ['UTM 56S (EPSG:32756), at Sydney', utmAt(32756, 151.2, -33.86, 0.12)],
    [
      'EPSG:3857 off the XYZ grid (origin between pixels, pixels 0.8 of the zoom’s)',
      {
        epsg: 3857,
        origin: toMercator(-1.2, 50.83),
        pixelSizeM: mercatorResolution(20) * 0.8,
        widthPx: W,
        heightPx: H,
      },
    ],
  ])('%s: the squares land on their XYZ pixels within a quarter pixel at every zoom', async (name, raster) => {
    const cogPath = join(dir, `${name.split(' ')[0]}-${raster.epsg}.tif`);
    const overviews = await writeTestCog(cogPath, raster, pattern);
    const mosaic: MosaicPyramid = { ...raster, overviews, maxZoom: 20, minZoom: 16 };
    const { tiles, warped } = await cut(cogPath, mosaic);
    expect(warped).toEqual([20, 19, 18, 17, 16]);

    for (const zoom of [20, 18, 17, 16]) {
      // 41 px at ~0.1 m is ~4 m: ~40 px at zoom 20, ~10 at 18, ~5 at 17, ~2.5 at 16 (past the
      // last overview, from a shrunk copy of it).
      const reach = Math.max(8, 48 >> (20 - zoom));
      for (const [u, v, channel] of [
        [1000.5, 300.5, 0],
        [1400.5, 650.5, 2],
      ] as const) {
        const expected = worldPixel(...lonLatOf(raster, u, v), zoom);
        const { centre, pixels } = await centreOf(tiles, zoom, expected, channel, reach);
        expect(pixels).toBeGreaterThan(2);
        // Measured ≤ 0.1 px; half a pixel (the usual slip between pixel corners and centres) fails.
        expect(Math.hypot(centre[0] - expected[0], centre[1] - expected[1])).toBeLessThan(0.25);
      }
    }

    // Grey stays opaque grey; the transparent half stays transparent, and a tile in its middle
    // (more than a tile from its edges at zoom 20) is not written at all.
    const grey = worldPixel(...lonLatOf(raster, 1200.5, 450.5), 20).map(Math.floor) as [number, number];
    expect(Array.from(await worldWindow(tiles, 20, grey[0], grey[1], 1, 1))).toEqual([...GREY]);
    const clear = worldPixel(...lonLatOf(raster, 300.5, 450.5), 20).map(Math.floor) as [number, number];
    expect((await worldWindow(tiles, 20, clear[0] - 3, clear[1], 6, 1)).every((b) => b === 0)).toBe(true);
    const middle = worldPixel(...lonLatOf(raster, 400, 450), 20).map((v) => Math.floor(v / T));
    expect(tiles.has(`20/${middle[0]}/${middle[1]}`)).toBe(false);

    // Every tile written shows something.
    for (const webp of tiles.values()) {
      const { data } = await sharp(webp).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
      expect(data.some((b, i) => i % 4 === 3 && b > 0)).toBe(true);
    }
  });

  test('an EPSG:3857 mosaic on the XYZ grid is cut from its pages unresampled, and warping it gives the same tiles', async () => {
    const zoom = 20;
    // A top-left corner on a pixel corner but not a tile corner, so that tiles are cut across; on a
    // pixel corner of the two zooms below too (76 and 140 are multiples of 4).
    const [ox, oy] = worldPixelToMercator(T * 525_000 + 76, T * 340_000 + 140, zoom);
    const raster: ProjectedRaster = {
      epsg: 3857,
      origin: [ox, oy],
      pixelSizeM: mercatorResolution(zoom),
      widthPx: 1000,
      heightPx: 700,
    };
    const cogPath = join(dir, 'on-grid.tif');
    // A gradient with a transparent corner and a half-transparent band, so that edges are compared too.
    const overviews = await writeTestCog(cogPath, raster, (x, y) =>
      x + y < 150 ? CLEAR : [(x * 5) & 255, (y * 3) & 255, (x ^ y) & 255, y > 600 ? 128 : 255],
    );
    const mosaic: MosaicPyramid = { ...raster, overviews, maxZoom: zoom, minZoom: zoom - overviews };
    for (let z = mosaic.maxZoom; z >= mosaic.minZoom; z--)
      expect(planLevel(cogPath, mosaic, z, 256).warped).toBe(false);
    // A pixel further right, the corner is on no pixel corner of the zooms below: those are warped.
    const [odd] = worldPixelToMercator(T * 525_000 + 77, 0, zoom);
    const shifted = { ...mosaic, origin: [odd, oy] as const };
    expect([20, 19, 18].map((z) => planLevel(cogPath, shifted, z, 256).warped)).toEqual([false, true, true]);
    const { tiles, warped } = await cut(cogPath, mosaic);
    expect(warped).toEqual([]);

    for (let k = 0; k <= overviews; k++) {
      const area = warpArea(raster, zoom - k);
      const first = tilesOf(area);
      const resampled: Tiles = new Map();
      await warpLevel(
        { cogPath, raster, zoom: zoom - k, page: k, factor: 2 ** k, area, blockRows: 256 },
        {
          slots: new EncodeSlots(4),
          webp: { lossless: true, effort: 0 },
          onTile: async (column, row, webp) =>
            void resampled.set(`${zoom - k}/${first.x0 + column}/${first.y0 + row}`, webp),
        },
      );
      const pages = [...tiles].filter(([key]) => key.startsWith(`${zoom - k}/`));
      expect([...resampled.keys()].sort()).toEqual(pages.map(([key]) => key).sort());
      for (const [key, webp] of pages) expect(resampled.get(key)!.equals(webp)).toBe(true);
    }
  });
});
