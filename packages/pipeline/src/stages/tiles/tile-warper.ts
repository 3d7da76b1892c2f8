import {
  type PlaneMap,
  type ProjectedRaster,
  type Rect,
  rasterFootprint,
  worldPixelToRaster,
} from '../../geo/projected-raster';
import { type RasterBounds, WarpGrid } from '../../geo/warp-grid';
import { TILE_SIZE } from '../../geo/web-mercator';
import { PageRows } from './page-rows';
import { type CutOptions, TileEncoder } from './tile-encoding';

const M = Math;

/** One zoom level of XYZ tiles resampled from a COG page: a raster off the level's pixel grid (UTM, or shifted). */
export interface WarpLevel {
  readonly cogPath: string;
  readonly raster: ProjectedRaster;
  readonly zoom: number;
  /** COG page sampled (0 = full resolution; each overview halves). */
  readonly page: number;
  /**
   * Full-resolution pixels per sampled pixel, a power of two: 2^page, or more past the last
   * overview, where the page is first shrunk to it.
   */
  readonly factor: number;
  /** World pixels sampled (see warpArea); the level's tiles are those this rectangle touches. */
  readonly area: Rect;
  /** Height of the COG's own tiles: the page is decoded in blocks of these rows, each once. */
  readonly blockRows: number;
}

/**
 * The world pixels at `zoom` that a warped level samples: the raster's footprint, whole pixels,
 * widened by one (bilinear sampling fades the edge over half a pixel), within the world.
 */
export function warpArea(raster: ProjectedRaster, zoom: number): Rect {
  const f = rasterFootprint(raster, zoom);
  const world = TILE_SIZE * 2 ** zoom;
  return {
    x0: M.max(0, M.floor(f.x0) - 1),
    y0: M.max(0, M.floor(f.y0) - 1),
    x1: M.min(world, M.ceil(f.x1) + 1),
    y1: M.min(world, M.ceil(f.y1) + 1),
  };
}

/** The XYZ tiles a rectangle of world pixels touches, `[x0, x1) × [y0, y1)`. */
export function tilesOf(area: Rect): Rect {
  const T = TILE_SIZE;
  return { x0: M.floor(area.x0 / T), y0: M.floor(area.y0 / T), x1: M.ceil(area.x1 / T), y1: M.ceil(area.y1 / T) };
}

/**
 * Cuts one level into 256 px tiles by resampling: each tile pixel's centre is mapped to the page
 * (world pixel → EPSG:3857 → lon/lat → the raster's CRS → page pixel, exactly on a sparse grid and
 * linearly between, see WarpGrid) and sampled bilinearly, with the colours weighted by alpha so
 * that transparent neighbours darken nothing; outside the raster is transparent. Tiles go row by
 * row: each row of tiles reads the page rows its grid spans, decoded in blocks of whole COG tile
 * rows (PageRows) while the row before is resampled, so memory stays at a strip of the page. Tiles
 * encode concurrently (TileEncoder); fully transparent tiles are skipped.
 */
export async function warpLevel(level: WarpLevel, o: CutOptions): Promise<number> {
  const T = TILE_SIZE;
  const { area } = level;
  const tiles = tilesOf(area);
  const overview = 2 ** level.page;
  const page = await PageRows.open(
    level.cogPath,
    level.page,
    level.blockRows,
    level.factor > overview ? await shrunkSize(level, overview) : undefined,
  );
  // Each overview pixel is the mean of a 2^page block of full-resolution pixels from the raster's
  // top-left corner (the COG writer's halving), so its scale is exactly 2^page; a page shrunk
  // further spans its source page exactly.
  const scaleX = level.factor > overview ? (overview * page.sourceWidth) / page.width : overview;
  const scaleY = level.factor > overview ? (overview * page.sourceHeight) / page.height : overview;
  const toRaster = worldPixelToRaster(level.raster, level.zoom);
  const toPage: PlaneMap = (x, y) => {
    const [u, v] = toRaster(x, y);
    return [u / scaleX, v / scaleY];
  };
  /** A row of tiles: its grid, and the page rows it reads (fetched at once). */
  const plan = (ty: number) => {
    const y0 = M.max(ty * T, area.y0);
    const y1 = M.min((ty + 1) * T, area.y1);
    const grid = new WarpGrid(toPage, { x0: area.x0, x1: area.x1, y0, y1 });
    // Bilinear sampling at v reads rows floor(v − ½) and the one below.
    const first = M.max(0, M.floor(grid.vMin - 0.5));
    const last = M.min(page.height, M.floor(grid.vMax - 0.5) + 2);
    if (first < last) page.fetchAhead(first, last);
    return { ty, grid, y0, y1, first, last };
  };

  const encoder = new TileEncoder(o);
  const u = new Float64Array(T);
  const v = new Float64Array(T);
  const rows = tiles.y1 - tiles.y0;
  let next = plan(tiles.y0);
  try {
    for (let ty = tiles.y0; ty < tiles.y1; ty++) {
      o.signal?.throwIfAborted();
      if (encoder.stopped) break;
      const { grid, y0, y1, first, last } = next;
      const views = first < last ? await page.rowPixels(first, last) : [];
      // The next row's page rows decode while this row is resampled.
      if (ty + 1 < tiles.y1) next = plan(ty + 1);
      const source: Source = { rows: views, first, width: page.width };
      // A row of tiles above or below the page reads no rows and shows nothing.
      for (let tx = tiles.x0; views.length && tx < tiles.x1; tx++) {
        const x0 = M.max(tx * T, area.x0);
        const x1 = M.min((tx + 1) * T, area.x1);
        // Where the photos left no pixels, a look at the alpha of the page pixels under the tile
        // (stopping at the first visible one) is cheaper than resampling it: on Brighton Beach
        // in UTM half the tiles of zoom 22 are blank, and looking took ~50 ms of the level's
        // ~0.6 s of resampling.
        if (!anyVisible(source, grid.bounds(x0, x1))) continue;
        const tile = await o.slots.acquire();
        const pixels = new Uint32Array(tile.buffer, tile.byteOffset, T * T);
        // Pixels outside the sampled area stay transparent.
        if (x0 !== tx * T || x1 !== (tx + 1) * T || y0 !== ty * T || y1 !== (ty + 1) * T) pixels.fill(0);
        let alpha = 0;
        for (let y = y0; y < y1; y++) {
          grid.row(y, x0, x1, u, v);
          alpha |= sampleRow(source, u, v, x1 - x0, pixels, (y - ty * T) * T + (x0 - tx * T));
        }
        if (alpha) encoder.encode(tile, tx - tiles.x0, ty - tiles.y0);
        else o.slots.release(tile);
      }
      o.onRows?.(ty - tiles.y0 + 1, rows);
    }
  } finally {
    await encoder.settle();
  }
  return encoder.finish();
}

/** The size past the last overview: the page shrunk by what the level needs beyond it. */
async function shrunkSize(level: WarpLevel, overview: number): Promise<{ width: number; height: number }> {
  const shrink = level.factor / overview;
  const { width, height } = await PageRows.pageSize(level.cogPath, level.page);
  return { width: M.max(1, M.round(width / shrink)), height: M.max(1, M.round(height / shrink)) };
}

/** Page rows `[first, first + rows.length)`, `width` RGBA pixels each, a pixel per word (R in the low byte). */
interface Source {
  readonly rows: Uint32Array[];
  readonly first: number;
  readonly width: number;
}

/** Whether any page pixel that bilinear sampling within `bounds` (page coordinates) reads is not transparent. */
export function anyVisible(source: Source, bounds: RasterBounds): boolean {
  const { rows, first, width } = source;
  const x0 = M.max(0, M.floor(bounds.uMin - 0.5));
  const x1 = M.min(width, M.floor(bounds.uMax - 0.5) + 2);
  const y0 = M.max(first, M.floor(bounds.vMin - 0.5));
  const y1 = M.min(first + rows.length, M.floor(bounds.vMax - 0.5) + 2);
  for (let y = y0; y < y1; y++) {
    const row = rows[y - first]!;
    for (let x = x0; x < x1; x++) if (row[x]! >>> 24) return true;
  }
  return false;
}

/**
 * Samples `n` pixels at page coordinates (`u`, `v`) (pixel centres at half-integers) bilinearly
 * into `out` (a pixel per word) from `at`; returns the OR of the alphas written (0: all
 * transparent). Colours are weighted by alpha (premultiplied), so a transparent neighbour adds no
 * black fringe; pixels beyond the page or the rows held count as transparent. Inside opaque areas,
 * the common case, the weights are 16-bit fixed point and each pixel is one 32-bit load.
 */
export function sampleRow(
  source: Source,
  u: Float64Array,
  v: Float64Array,
  n: number,
  out: Uint32Array,
  at: number,
): number {
  const { rows, first, width } = source;
  const last = first + rows.length;
  let seen = 0;
  for (let i = 0; i < n; i++, at++) {
    const fx = u[i]! - 0.5;
    const fy = v[i]! - 0.5;
    if (!(fx >= -1 && fx < width && fy >= first - 1 && fy < last)) {
      out[at] = 0;
      continue;
    }
    const ix = M.floor(fx);
    const iy = M.floor(fy);
    if (ix >= 0 && ix + 1 < width && iy >= first && iy + 1 < last) {
      const a = rows[iy - first]!;
      const b = rows[iy + 1 - first]!;
      const p00 = a[ix]!;
      const p10 = a[ix + 1]!;
      const p01 = b[ix]!;
      const p11 = b[ix + 1]!;
      if ((p00 & p10 & p01 & p11) >>> 24 === 255) {
        const wx = ((fx - ix) * 256 + 0.5) | 0;
        const wy = ((fy - iy) * 256 + 0.5) | 0;
        const w00 = (256 - wx) * (256 - wy);
        const w10 = wx * (256 - wy);
        const w01 = (256 - wx) * wy;
        const w11 = wx * wy;
        const r = ((p00 & 255) * w00 + (p10 & 255) * w10 + (p01 & 255) * w01 + (p11 & 255) * w11 + 32768) >>> 16;
        const g =
          (((p00 >>> 8) & 255) * w00 +
            ((p10 >>> 8) & 255) * w10 +
            ((p01 >>> 8) & 255) * w01 +
            ((p11 >>> 8) & 255) * w11 +
            32768) >>>
          16;
        const bl =
          (((p00 >>> 16) & 255) * w00 +
            ((p10 >>> 16) & 255) * w10 +
            ((p01 >>> 16) & 255) * w01 +
            ((p11 >>> 16) & 255) * w11 +
            32768) >>>
          16;
        out[at] = (r | (g << 8) | (bl << 16) | 0xff000000) >>> 0;
        seen = 255;
        continue;
      }
      if ((p00 | p10 | p01 | p11) >>> 24 === 0) {
        out[at] = 0;
        continue;
      }
    }
    // Partly transparent, or on the edge of the page.
    const wx = fx - ix;
    const wy = fy - iy;
    let sa = 0;
    let sr = 0;
    let sg = 0;
    let sb = 0;
    for (let k = 0; k < 4; k++) {
      const x = ix + (k & 1);
      const y = iy + (k >> 1);
      if (x < 0 || x >= width || y < first || y >= last) continue;
      const p = rows[y - first]![x]!;
      const w = (p >>> 24) * (k & 1 ? wx : 1 - wx) * (k >> 1 ? wy : 1 - wy);
      sa += w;
      sr += (p & 255) * w;
      sg += ((p >>> 8) & 255) * w;
      sb += ((p >>> 16) & 255) * w;
    }
    const alpha = (sa + 0.5) | 0;
    if (alpha === 0) {
      out[at] = 0;
      continue;
    }
    out[at] =
      ((sr / sa + 0.5) | 0 | (((sg / sa + 0.5) | 0) << 8) | (((sb / sa + 0.5) | 0) << 16) | (alpha << 24)) >>> 0;
    seen |= alpha;
  }
  return seen;
}
