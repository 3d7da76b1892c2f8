import { DecodedImageCache, type TilePlan } from './decoded-image-cache';
import { invert, type Similarity } from './similarity';

// Math held in a module constant: under jest every global lookup goes through the vm context's
// interceptor, which made per-pixel loops 5–60× slower in tests than in production.
const M = Math;

/** A decoded image: RGB, 3 bytes per pixel. */
export interface RgbImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

export interface MosaicImage {
  readonly width: number;
  readonly height: number;
  readonly placement: Similarity;
  /** Exposure gain applied to the image's pixels. */
  readonly gain: number;
}

export interface RenderOptions {
  readonly width: number;
  readonly height: number;
  readonly tileSize: number;
  readonly images: readonly MosaicImage[];
  /** Decodes image `index` at full resolution. */
  readonly load: (index: number) => Promise<RgbImage>;
  /** Decoded images kept for reuse, bytes; an image is decoded again only when evicted. */
  readonly cacheBytes: number;
  /** Width of the blend across a seam, mosaic pixels. @default 24 */
  readonly featherPx?: number;
  /**
   * Whether blocks of a tile skip the images that cannot reach them (see `reaching`); false
   * renders every image over every block, for tests that check skipping changes nothing.
   * @default true
   */
  readonly skipUnreached?: boolean;
  /** Receives each finished tile, RGBA, in row-major tile order. */
  readonly onTile: (column: number, row: number, rgba: Uint8Array) => Promise<void> | void;
  readonly onProgress?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
}

export interface RenderStats {
  readonly decodes: number;
  readonly peakCacheBytes: number;
  readonly tiles: number;
}

/**
 * Renders the mosaic tile by tile, so that memory holds one tile and the decoded images the
 * current row of tiles needs (bounded by `cacheBytes`), never the whole mosaic. Each mosaic pixel
 * is taken from the image whose centre is nearest (the most nadir view, where relief leans
 * least), blended over `featherPx` across the seams between neighbours and faded at image edges.
 */
export async function renderMosaic(o: RenderOptions): Promise<RenderStats> {
  const T = o.tileSize;
  const feather = o.featherPx ?? 24;
  const tiles = planTiles(o, feather);
  const images = new DecodedImageCache(o.images, tiles, o.load, o.cacheBytes);
  const best = new Float32Array(T * T);
  const sum = new Float32Array(T * T * 4);
  for (const [index, tile] of tiles.entries()) {
    o.signal?.throwIfAborted();
    await images.ready(index);
    images.decodeAhead(index);
    const rgba = renderTile(o.images, images, tile, T, feather, best, sum);
    await o.onTile(tile.column, tile.row, rgba);
    o.onProgress?.(index + 1, tiles.length);
  }
  return { decodes: images.decodes, peakCacheBytes: images.peakBytes, tiles: tiles.length };
}

/** The mosaic's tiles in row-major order, each with the images its blocks need. */
function planTiles(o: RenderOptions, feather: number): TilePlan[] {
  const T = o.tileSize;
  const columns = M.ceil(o.width / T);
  const rows = M.ceil(o.height / T);
  const bounds = o.images.map(imageBounds);
  const tiles: TilePlan[] = [];
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < columns; column++) {
      const x0 = column * T;
      const y0 = row * T;
      const overlapping = bounds
        .map((b, k) => (b.x1 >= x0 && b.x0 <= x0 + T && b.y1 >= y0 && b.y0 <= y0 + T ? k : -1))
        .filter((k) => k >= 0);
      // Only the images that can give a block weight are decoded for the tile: with 80 %+
      // overlap, most images over a tile lie under nearer ones (Caliterra: 189 decodes of 40
      // photos with every overlapping image, see the renderer test for the same pixels).
      const blocks: number[][] = [];
      for (let by = 0; by < T; by += BLOCK) {
        for (let bx = 0; bx < T; bx += BLOCK) {
          const block = { x0: bx, y0: by, x1: M.min(T, bx + BLOCK), y1: M.min(T, by + BLOCK) };
          blocks.push(
            o.skipUnreached === false ? overlapping : reaching(o.images, overlapping, x0, y0, block, feather),
          );
        }
      }
      const needed = [...new Set(blocks.flat())].sort((a, b) => a - b);
      tiles.push({ x0, y0, column, row, needed, blocks });
    }
  }
  return tiles;
}

/**
 * Blends a tile's images into RGBA, pixel by pixel taking the nearest centre (`best`, `sum` are
 * scratch buffers of the tile's size, reused across tiles).
 */
function renderTile(
  mosaicImages: readonly MosaicImage[],
  decoded: DecodedImageCache,
  { x0, y0, blocks }: TilePlan,
  T: number,
  feather: number,
  best: Float32Array,
  sum: Float32Array,
): Uint8Array {
  best.fill(Infinity);
  sum.fill(0);
  let b = 0;
  for (let by = 0; by < T; by += BLOCK) {
    for (let bx = 0; bx < T; bx += BLOCK) {
      const block = { x0: bx, y0: by, x1: M.min(T, bx + BLOCK), y1: M.min(T, by + BLOCK) };
      const images = blocks[b++]!;
      for (const k of images) nearestCentre(mosaicImages[k]!, x0, y0, T, block, best);
      for (const k of images) accumulate(mosaicImages[k]!, decoded.get(k), x0, y0, T, block, best, feather, sum);
    }
  }
  const rgba = new Uint8Array(T * T * 4);
  // A clamped view rounds and clamps on assignment, natively.
  const out = new Uint8ClampedArray(rgba.buffer);
  for (let p = 0; p < T * T; p++) {
    const o4 = p * 4;
    const w = sum[o4 + 3]!;
    if (w <= 0) continue;
    out[o4] = sum[o4]! / w;
    out[o4 + 1] = sum[o4 + 1]! / w;
    out[o4 + 2] = sum[o4 + 2]! / w;
    out[o4 + 3] = 255;
  }
  return rgba;
}

/** Side of the blocks a tile is rendered in, pixels: small enough that most see one or two images. */
const BLOCK = 64;

/** A rectangle of a tile, `[x0, x1) × [y0, y1)` in tile pixels. */
interface Block {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

/**
 * The images among `needed` that can give a pixel of the block any weight. Where images overlap
 * three or four deep, every pixel used to be walked for each of them, though only the nearest
 * centre's and, near a seam, its neighbour's carry weight. An image whose centre is farther from
 * the block's centre than the nearest centre of an image covering the whole block, by at least
 * the block's diagonal plus the feather, is farther than that image by more than the feather at
 * every pixel of the block (distance moves by at most the half-diagonal across it), so its weight
 * there is zero and it is nobody's nearest: skipping it changes no pixel.
 */
function reaching(
  images: readonly MosaicImage[],
  needed: readonly number[],
  x0: number,
  y0: number,
  block: Block,
  feather: number,
): number[] {
  const cx = x0 + (block.x0 + block.x1) / 2;
  const cy = y0 + (block.y0 + block.y1) / 2;
  const diagonal = M.hypot(block.x1 - block.x0, block.y1 - block.y0);
  let nearestCovering = Infinity;
  const distances = needed.map((k) => {
    const image = images[k]!;
    const d = M.hypot(cx - image.placement.tx, cy - image.placement.ty);
    if (d < nearestCovering && covers(image, x0 + block.x0, y0 + block.y0, x0 + block.x1, y0 + block.y1))
      nearestCovering = d;
    return d;
  });
  return needed.filter((_, n) => distances[n]! < nearestCovering + diagonal + feather);
}

/** Whether every pixel centre of the rectangle `[x0, x1) × [y0, y1)` (mosaic pixels) lies inside the image, as the render loops test it. */
function covers(image: MosaicImage, x0: number, y0: number, x1: number, y1: number): boolean {
  const limitU = image.width / 2 - 1;
  const limitV = image.height / 2 - 1;
  for (const [x, y] of [
    [x0 + 0.5, y0 + 0.5],
    [x1 - 0.5, y0 + 0.5],
    [x0 + 0.5, y1 - 0.5],
    [x1 - 0.5, y1 - 0.5],
  ] as const) {
    const [u, v] = invert(image.placement, x, y);
    if (u < -limitU || u > limitU || v < -limitV || v > limitV) return false;
  }
  return true;
}

/** Mosaic bounding box of an image's corners. */
export function imageBounds(image: MosaicImage): { x0: number; y0: number; x1: number; y1: number } {
  const { a, b, tx, ty } = image.placement;
  const hw = image.width / 2;
  const hh = image.height / 2;
  const xs: number[] = [];
  const ys: number[] = [];
  for (const [u, v] of [
    [-hw, -hh],
    [hw, -hh],
    [hw, hh],
    [-hw, hh],
  ] as const) {
    xs.push(a * u - b * v + tx);
    ys.push(b * u + a * v + ty);
  }
  return { x0: M.min(...xs), y0: M.min(...ys), x1: M.max(...xs), y1: M.max(...ys) };
}

/** The image pixel (offset from its centre) under tile pixel (0, 0) and its steps along x and y. */
function walk(image: MosaicImage, x0: number, y0: number): [number, number, number, number, number, number] {
  const t = image.placement;
  const [u00, v00] = invert(t, x0 + 0.5, y0 + 0.5);
  const [u10, v10] = invert(t, x0 + 1.5, y0 + 0.5);
  const [u01, v01] = invert(t, x0 + 0.5, y0 + 1.5);
  return [u00, v00, u10 - u00, v10 - v00, u01 - u00, v01 - v00];
}

/**
 * The range of x in [0, T) for which u = u0 + du·x stays within [-limitU, limitU] and
 * v = v0 + dv·x within [-limitV, limitV]: the run of a tile row that falls inside the image, so the
 * loops skip the rest instead of testing every pixel.
 */
function span(
  u0: number,
  du: number,
  limitU: number,
  v0: number,
  dv: number,
  limitV: number,
  block: Block,
): [number, number] {
  let lo = block.x0;
  let hi = block.x1 - 1;
  for (const [c0, d, limit] of [
    [u0, du, limitU],
    [v0, dv, limitV],
  ] as const) {
    if (d === 0) {
      if (c0 < -limit || c0 > limit) return [1, 0];
      continue;
    }
    const a = (-limit - c0) / d;
    const b = (limit - c0) / d;
    lo = M.max(lo, M.ceil(M.min(a, b)));
    hi = M.min(hi, M.floor(M.max(a, b)));
  }
  return [lo, hi];
}

// The two loops below walk the tile's pixels with the image coordinates each lands on
// (incrementally: the map is affine); written out rather than shared through a callback, which
// doubled the render time.

function nearestCentre(image: MosaicImage, x0: number, y0: number, T: number, block: Block, best: Float32Array): void {
  const [u00, v00, dux, dvx, duy, dvy] = walk(image, x0, y0);
  const hw = image.width / 2 - 1;
  const hh = image.height / 2 - 1;
  const { tx, ty } = image.placement;
  for (let y = block.y0; y < block.y1; y++) {
    const uy = u00 + duy * y;
    const vy = v00 + dvy * y;
    const [from, to] = span(uy, dux, hw, vy, dvx, hh, block);
    let u = uy + dux * from;
    let v = vy + dvx * from;
    const dy = y0 + y + 0.5 - ty;
    const dy2 = dy * dy;
    let p = y * T + from;
    for (let x = from; x <= to; x++, u += dux, v += dvx, p++) {
      // Rounding at the ends of the span.
      if (u < -hw || u > hw || v < -hh || v > hh) continue;
      const dx = x0 + x + 0.5 - tx;
      const d = M.sqrt(dx * dx + dy2);
      if (d < best[p]!) best[p] = d;
    }
  }
}

function accumulate(
  image: MosaicImage,
  rgb: RgbImage,
  x0: number,
  y0: number,
  T: number,
  block: Block,
  best: Float32Array,
  feather: number,
  sum: Float32Array,
): void {
  const [u00, v00, dux, dvx, duy, dvy] = walk(image, x0, y0);
  const W = rgb.width;
  const data = rgb.data;
  const hw = rgb.width / 2;
  const hh = rgb.height / 2;
  const cx = hw - 0.5;
  const cy = hh - 0.5;
  const limitU = hw - 1;
  const limitV = hh - 1;
  const edge = M.max(8, M.min(hw, hh) * 0.04);
  const gain = image.gain;
  const { tx, ty } = image.placement;
  for (let y = block.y0; y < block.y1; y++) {
    const uy = u00 + duy * y;
    const vy = v00 + dvy * y;
    const [from, to] = span(uy, dux, limitU, vy, dvx, limitV, block);
    let u = uy + dux * from;
    let v = vy + dvx * from;
    const dy = y0 + y + 0.5 - ty;
    const dy2 = dy * dy;
    let p = y * T + from;
    for (let x = from; x <= to; x++, u += dux, v += dvx, p++) {
      if (u < -limitU || u > limitU || v < -limitV || v > limitV) continue;
      const dx = x0 + x + 0.5 - tx;
      let w = 1 - (M.sqrt(dx * dx + dy2) - best[p]!) / feather;
      if (w <= 0) continue;
      const au = u < 0 ? -u : u;
      const av = v < 0 ? -v : v;
      const fromEdge = hw - au < hh - av ? hw - au : hh - av;
      if (fromEdge < edge) w *= fromEdge / edge;
      const fx = u + cx;
      const fy = v + cy;
      const ix = fx | 0;
      const iy = fy | 0;
      const ax = fx - ix;
      const ay = fy - iy;
      const i00 = (iy * W + ix) * 3;
      const i01 = i00 + W * 3;
      const wg = w * gain;
      const w00 = (1 - ax) * (1 - ay) * wg;
      const w10 = ax * (1 - ay) * wg;
      const w01 = (1 - ax) * ay * wg;
      const w11 = ax * ay * wg;
      const o = p * 4;
      sum[o] = sum[o]! + data[i00]! * w00 + data[i00 + 3]! * w10 + data[i01]! * w01 + data[i01 + 3]! * w11;
      sum[o + 1] =
        sum[o + 1]! + data[i00 + 1]! * w00 + data[i00 + 4]! * w10 + data[i01 + 1]! * w01 + data[i01 + 4]! * w11;
      sum[o + 2] =
        sum[o + 2]! + data[i00 + 2]! * w00 + data[i00 + 5]! * w10 + data[i01 + 2]! * w01 + data[i01 + 5]! * w11;
      sum[o + 3] = sum[o + 3]! + w;
    }
  }
}
