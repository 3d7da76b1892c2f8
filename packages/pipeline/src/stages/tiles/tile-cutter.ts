import { TILE_SIZE } from '../../geo/web-mercator';
import { PageRows } from './page-rows';
import { type CutOptions, TileEncoder } from './tile-encoding';

const M = Math;

/** One zoom level of the mosaic as libvips reads it: a page of the COG, or a shrunk copy of one. */
export interface LevelSource {
  readonly cogPath: string;
  /** COG page (0 = full resolution, 1… = overviews). */
  readonly page: number;
  /** Size of the level; when it differs from the page's, the page is shrunk to it first. */
  readonly width: number;
  readonly height: number;
  /** Where the level's top-left pixel falls inside its first XYZ tile, pixels. */
  readonly offsetX: number;
  readonly offsetY: number;
  /** Height of the COG's own tiles: the page is decoded in blocks of these rows, each once. */
  readonly blockRows: number;
}

/**
 * Cuts one level into 256 px tiles and encodes each as WebP. Written instead of sharp's `tile()`
 * (which this stage used first): `tile()` encodes its tiles one after another and goes through
 * a temporary folder, while here libvips decodes a strip of two tile rows at a time (memory stays
 * at a strip, whatever the mosaic's size) and the tiles of a strip are encoded concurrently on
 * libuv's threads — twice as fast on two cores. Fully transparent tiles are skipped.
 */
export async function cutLevel(level: LevelSource, o: CutOptions): Promise<number> {
  const T = TILE_SIZE;
  const columns = M.ceil((level.offsetX + level.width) / T);
  const rows = M.ceil((level.offsetY + level.height) / T);
  // Strips follow the XYZ grid and the page's tiles start at its top: below the finest zoom a
  // strip straddles two rows of COG tiles, and reading it whole decoded each of them twice
  // (a third more decoding). PageRows decodes blocks of whole COG tile rows once each.
  const page = await PageRows.open(level.cogPath, level.page, level.blockRows, level);
  const encoder = new TileEncoder(o);
  // Two tile rows per strip: the COG's own tiles are 512 px, so a strip decodes each of them once.
  const read = (row: number) => {
    const y0 = M.max(0, row * T - level.offsetY);
    const y1 = M.min(level.height, (row + 2) * T - level.offsetY);
    return { y0, y1, pixels: page.rows(y0, y1 - y0) };
  };
  let next = read(0);
  try {
    for (let row = 0; row < rows; row += 2) {
      o.signal?.throwIfAborted();
      if (encoder.stopped) break;
      const { y0, y1 } = next;
      const pixels = await next.pixels;
      // The next strip decodes while this one's tiles encode.
      if (row + 2 < rows) next = read(row + 2);
      for (let r = row; r < M.min(rows, row + 2); r++) {
        for (let column = 0; column < columns; column++) {
          const tile = await o.slots.acquire();
          if (copyTile(pixels, level, y0, y1, column, r, tile)) encoder.encode(tile, column, r);
          else o.slots.release(tile);
        }
      }
      o.onRows?.(M.min(rows, row + 2), rows);
    }
  } finally {
    // Whether this ends or fails, nothing of it is still writing, and a strip read ahead but never
    // used cannot fail unobserved.
    next.pixels.catch(() => undefined);
    await encoder.settle();
  }
  return encoder.finish();
}

/**
 * Copies the tile at (`column`, `row`) from a strip holding the level's rows `[y0, y1)` into
 * `tile`; false when it is blank.
 */
function copyTile(
  strip: Buffer,
  level: LevelSource,
  y0: number,
  y1: number,
  column: number,
  row: number,
  tile: Buffer,
): boolean {
  const T = TILE_SIZE;
  const x = column * T - level.offsetX;
  const y = row * T - level.offsetY;
  const fromX = M.max(0, x);
  const toX = M.min(level.width, x + T);
  const fromY = M.max(y0, y);
  const toY = M.min(y1, y + T);
  if (toX <= fromX || toY <= fromY) return false;
  // Pixels the level does not cover stay transparent.
  if (fromX !== x || toX !== x + T || fromY !== y || toY !== y + T) tile.fill(0);
  let visible = false;
  for (let sy = fromY; sy < toY; sy++) {
    const src = ((sy - y0) * level.width + fromX) * 4;
    const dst = ((sy - y) * T + (fromX - x)) * 4;
    strip.copy(tile, dst, src, src + (toX - fromX) * 4);
    if (!visible) {
      for (let i = dst + 3; i < dst + (toX - fromX) * 4; i += 4) {
        if (tile[i] !== 0) {
          visible = true;
          break;
        }
      }
    }
  }
  return visible;
}
