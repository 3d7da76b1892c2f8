import sharp from 'sharp';
import { TILE_SIZE } from '../../geo/web-mercator';

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
 * Permits for tiles being encoded or stored at once, shared by the levels cut side by side. Each
 * permit is a tile's pixel buffer, used again by the next tile: a fresh 256 KiB buffer per tile
 * cost more in page faults and garbage collection than copying the pixels.
 */
export class EncodeSlots {
  private readonly free: Buffer[] = [];
  private readonly waiting: ((buffer: Buffer) => void)[] = [];

  constructor(readonly size: number) {
    for (let k = 0; k < size; k++) this.free.push(Buffer.alloc(TILE_SIZE * TILE_SIZE * 4));
  }

  async acquire(): Promise<Buffer> {
    return this.free.pop() ?? new Promise<Buffer>((resolve) => this.waiting.push(resolve));
  }

  release(buffer: Buffer): void {
    const next = this.waiting.shift();
    if (next) next(buffer);
    else this.free.push(buffer);
  }
}

export interface CutOptions {
  /** Encodes and stores one tile; `column`/`row` count from the level's first XYZ tile. */
  readonly onTile: (column: number, row: number, webp: Buffer) => Promise<void>;
  readonly slots: EncodeSlots;
  readonly webp: sharp.WebpOptions;
  readonly onRows?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
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
  const strip = await stripReader(level);
  const running = new Set<Promise<void>>();
  let failure: unknown;
  let written = 0;
  // Two tile rows per strip: the COG's own tiles are 512 px, so a strip decodes each of them once.
  const read = (row: number) => {
    const y0 = M.max(0, row * T - level.offsetY);
    const y1 = M.min(level.height, (row + 2) * T - level.offsetY);
    return { y0, y1, pixels: strip(y0, y1 - y0) };
  };
  let next = read(0);
  try {
    for (let row = 0; row < rows; row += 2) {
      o.signal?.throwIfAborted();
      if (failure) break;
      const { y0, y1 } = next;
      const pixels = await next.pixels;
      // The next strip decodes while this one's tiles encode.
      if (row + 2 < rows) next = read(row + 2);
      for (let r = row; r < M.min(rows, row + 2); r++) {
        for (let column = 0; column < columns; column++) {
          const tile = await o.slots.acquire();
          if (!copyTile(pixels, level, y0, y1, column, r, tile)) {
            o.slots.release(tile);
            continue;
          }
          const job = sharp(tile, { raw: { width: T, height: T, channels: 4 } })
            .webp(o.webp)
            .toBuffer()
            .then((webp) => o.onTile(column, r, webp))
            .then(
              () => void written++,
              (e: unknown) => void (failure ??= e),
            )
            .finally(() => {
              running.delete(job);
              o.slots.release(tile);
            });
          running.add(job);
        }
      }
      o.onRows?.(M.min(rows, row + 2), rows);
    }
  } finally {
    // Whether this ends or fails, nothing of it is still writing, and a strip read ahead but never
    // used cannot fail unobserved.
    next.pixels.catch(() => undefined);
    await Promise.allSettled(running);
  }
  if (failure) throw failure;
  return written;
}

/** Rows `[y, y + h)` of the level as RGBA, read strip by strip (or sliced from a small level held whole). */
async function stripReader(level: LevelSource): Promise<(y: number, h: number) => Promise<Buffer>> {
  const rowBytes = level.width * 4;
  const meta = await sharp(level.cogPath, { page: level.page, limitInputPixels: false }).metadata();
  if (meta.width === level.width && meta.height === level.height) {
    // Strips follow the XYZ grid and the page's tiles start at its top: below the finest zoom a
    // strip straddles two rows of COG tiles, and reading it whole decoded each of them twice
    // (a third more decoding). Blocks of whole COG tile rows are decoded once each and kept until
    // the strips past them are read.
    const B = level.blockRows;
    const blocks = new Map<number, Promise<Buffer>>();
    const block = (b: number) => {
      let rows = blocks.get(b);
      if (!rows) {
        rows = sharp(level.cogPath, { page: level.page, limitInputPixels: false })
          .extract({ left: 0, top: b * B, width: level.width, height: M.min(B, level.height - b * B) })
          .ensureAlpha()
          .raw()
          .toBuffer();
        // A block read ahead and then not used must not fail unobserved.
        rows.catch(() => undefined);
        blocks.set(b, rows);
      }
      return rows;
    };
    return async (y, h) => {
      const first = M.floor(y / B);
      const last = M.floor((y + h - 1) / B);
      for (const b of blocks.keys()) if (b < first) blocks.delete(b);
      if (first === last) {
        const rows = await block(first);
        return rows.subarray((y - first * B) * rowBytes, (y + h - first * B) * rowBytes);
      }
      const out = Buffer.allocUnsafe(h * rowBytes);
      for (let b = first; b <= last; b++) {
        const rows = await block(b);
        const from = M.max(y, b * B);
        const to = M.min(y + h, (b + 1) * B);
        rows.copy(out, (from - y) * rowBytes, (from - b * B) * rowBytes, (to - b * B) * rowBytes);
      }
      return out;
    };
  }
  // Past the last overview the level is a fraction of a tile row's size: shrink it once, whole.
  const whole = await sharp(level.cogPath, { page: level.page, limitInputPixels: false })
    .resize(level.width, level.height, { fit: 'fill', kernel: 'linear' })
    .ensureAlpha()
    .raw()
    .toBuffer();
  return async (y, h) => whole.subarray(y * rowBytes, (y + h) * rowBytes);
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
