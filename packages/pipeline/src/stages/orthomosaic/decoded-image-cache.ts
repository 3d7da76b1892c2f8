import type { MosaicImage, RgbImage } from './mosaic-renderer';

/** A tile of the mosaic in render order, with the images each of its blocks needs. */
export interface TilePlan {
  readonly x0: number;
  readonly y0: number;
  readonly column: number;
  readonly row: number;
  /** Every image the tile's blocks need, ascending. */
  readonly needed: readonly number[];
  /** Per block, row-major, the images that can give it weight. */
  readonly blocks: readonly (readonly number[])[];
}

/**
 * The decoded images the render needs, within a byte budget, decoding ahead of the render. Not
 * lru-cache: eviction drops the image needed again furthest ahead (Belady's rule, exact here because
 * the schedule is known), not the least recently used, which the row-by-row sweep over overlapping
 * photos defeats.
 */
export class DecodedImageCache {
  private readonly cache = new Map<number, RgbImage>();
  // Decoding runs on libuv's threads: the next tile's images decode while this one renders.
  private readonly inflight = new Map<number, Promise<RgbImage>>();
  /** Each image's tiles in render order. */
  private readonly uses: number[][];
  private bytes = 0;
  peakBytes = 0;
  decodes = 0;

  constructor(
    private readonly images: readonly MosaicImage[],
    private readonly tiles: readonly TilePlan[],
    private readonly load: (index: number) => Promise<RgbImage>,
    private readonly budget: number,
  ) {
    this.uses = images.map(() => [] as number[]);
    tiles.forEach((tile, index) => tile.needed.forEach((k) => this.uses[k]!.push(index)));
  }

  /** Image `k`, decoded; only for images of a tile made ready with `ready`. */
  get(k: number): RgbImage {
    return this.cache.get(k)!;
  }

  /** Holds every image tile `index` needs, decoding the missing ones and evicting to make room. */
  async ready(index: number): Promise<void> {
    const needed = this.tiles[index]!.needed;
    for (const k of needed) this.start(k);
    for (const k of needed) {
      const hit = this.cache.get(k);
      if (hit) {
        this.cache.delete(k);
        this.cache.set(k, hit);
        continue;
      }
      const image = await this.inflight.get(k)!;
      this.inflight.delete(k);
      const evictable = [...this.cache.keys()]
        .filter((old) => !needed.includes(old))
        .sort((a, b) => this.nextUse(b, index) - this.nextUse(a, index));
      for (const old of evictable) {
        if (this.bytes + image.data.byteLength <= this.budget) break;
        this.bytes -= this.cache.get(old)!.data.byteLength;
        this.cache.delete(old);
      }
      this.cache.set(k, image);
      this.bytes += image.data.byteLength;
      this.peakBytes = Math.max(this.peakBytes, this.bytes);
    }
  }

  /**
   * Starts decoding, in the order the tiles after `index` need the images, as far as the budget has
   * room: decoding is most of the render's time, and it runs on other threads than the render loop.
   */
  decodeAhead(index: number): void {
    let room = this.budget - this.bytes - [...this.inflight.keys()].reduce((s, k) => s + this.imageBytes(k), 0);
    for (let next = index + 1; next < this.tiles.length && room > 0; next++) {
      for (const k of this.tiles[next]!.needed) {
        if (this.cache.has(k) || this.inflight.has(k)) continue;
        room -= this.imageBytes(k);
        if (room < 0) return;
        this.start(k);
      }
    }
  }

  private start(k: number): void {
    if (!this.cache.has(k) && !this.inflight.has(k)) {
      this.decodes++;
      this.inflight.set(k, this.load(k));
    }
  }

  /** The first tile after `after` that needs image `k`, or Infinity. */
  private nextUse(k: number, after: number): number {
    const list = this.uses[k]!;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]! <= after) lo = mid + 1;
      else hi = mid;
    }
    return lo < list.length ? list[lo]! : Infinity;
  }

  private imageBytes(k: number): number {
    const image = this.images[k]!;
    return image.width * image.height * 3;
  }
}
