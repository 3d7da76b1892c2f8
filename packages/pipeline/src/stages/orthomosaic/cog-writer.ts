import { createReadStream, createWriteStream } from 'node:fs';
import { open, type FileHandle, unlink } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { deflate, deflateSync } from 'node:zlib';

const deflateAsync = promisify(deflate);
/** DEFLATE level 1: on two cores level 6 cost more CPU than rendering the tile, for ~15 % smaller files. */
const LEVEL = 1;

/**
 * Where full-resolution tiles are compressed: on libuv's thread pool (the writer shares a thread with other work),
 * or on the writer's own thread (it has a worker thread to itself, see cog-writer-thread.ts).
 */
export type CompressOn = 'thread-pool' | 'this-thread';
const M = Math;

/** Where the raster sits: EPSG:3857 of its top-left corner and the size of a pixel, metres. */
export interface Georeference {
  readonly epsg: number;
  readonly originX: number;
  readonly originY: number;
  readonly pixelSize: number;
}

interface LevelTiles {
  readonly width: number;
  readonly height: number;
  /** Byte count of each tile, row-major. */
  readonly sizes: number[];
  /** Compressed tiles of an overview, held in memory (overviews are a quarter of the size or less). */
  readonly chunks?: Buffer[];
}

/**
 * Writes an RGBA Cloud Optimized GeoTIFF from full-resolution tiles given in row-major order:
 * DEFLATE with the horizontal predictor, internal overviews down to one tile, every IFD before the
 * pixel data and the smallest overview's tiles first, as the COG layout asks.
 *
 * Written by hand because nothing on npm writes one: geotiff.js writes untiled, uncompressed
 * files without overviews, and sharp (libvips) writes tiled pyramids but drops GeoTIFF keys. Tiles
 * stream to a temporary file as they arrive; only the half-resolution level is kept in memory
 * (a quarter of the mosaic's pixels) to build the overviews from.
 */
export class CogWriter {
  readonly columns: number;
  readonly rows: number;
  private readonly half: Uint8Array;
  private readonly halfWidth: number;
  private readonly halfHeight: number;
  private readonly sizes: number[] = [];
  private file?: FileHandle;
  private readonly writes: Promise<void>[] = [];
  private next = 0;

  constructor(
    readonly width: number,
    readonly height: number,
    readonly tileSize: number,
    private readonly georeference: Georeference,
    private readonly tempPath: string,
    private readonly compressOn: CompressOn = 'thread-pool',
  ) {
    this.columns = M.ceil(width / tileSize);
    this.rows = M.ceil(height / tileSize);
    this.halfWidth = M.ceil(width / 2);
    this.halfHeight = M.ceil(height / 2);
    this.half = new Uint8Array(this.halfWidth * this.halfHeight * 4);
  }

  /** Adds the next full-resolution tile (tileSize² RGBA), in row-major order. */
  async addTile(column: number, row: number, rgba: Uint8Array): Promise<void> {
    const index = row * this.columns + column;
    if (index !== this.next)
      throw new Error(`COG tiles must arrive in row-major order: got ${index}, expected ${this.next}`);
    this.next++;
    this.file ??= await open(this.tempPath, 'w');
    const file = this.file;
    // Compression runs on libuv's thread pool while the next tile renders; writes stay in order.
    const compressed = compressTile(rgba, this.tileSize, this.compressOn);
    this.writes.push(
      (this.writes.at(-1) ?? Promise.resolve()).then(async () => {
        const chunk = await compressed;
        await file.write(chunk);
        this.sizes.push(chunk.byteLength);
      }),
    );
    if (this.writes.length > 4) await this.writes.shift();
    halveInto(
      rgba,
      this.tileSize,
      this.tileSize,
      this.half,
      this.halfWidth,
      this.halfHeight,
      column * (this.tileSize / 2),
      row * (this.tileSize / 2),
    );
  }

  /** The half-resolution level (RGBA), e.g. for a preview. */
  halfLevel(): { data: Uint8Array; width: number; height: number } {
    return { data: this.half, width: this.halfWidth, height: this.halfHeight };
  }

  /** Builds the overviews and writes the COG to `path`. */
  async finish(path: string): Promise<{ bytes: number; overviews: number }> {
    if (this.next !== this.columns * this.rows)
      throw new Error(`COG has ${this.next} of ${this.columns * this.rows} tiles`);
    await Promise.all(this.writes);
    await this.file?.close();
    const levels: LevelTiles[] = [{ width: this.width, height: this.height, sizes: this.sizes }];
    let raster = { data: this.half, width: this.halfWidth, height: this.halfHeight };
    const compressing: { width: number; height: number; chunks: Promise<Buffer[]> }[] = [];
    for (;;) {
      // Overviews compress on libuv's threads, whatever thread this writer has, while this one
      // halves the next level: at this point nothing else keeps the cores busy.
      compressing.push({ ...raster, chunks: tileLevel(raster.data, raster.width, raster.height, this.tileSize) });
      if (raster.width <= this.tileSize && raster.height <= this.tileSize) break;
      raster = halve(raster.data, raster.width, raster.height);
    }
    for (const { width, height, chunks } of compressing) {
      const done = await chunks;
      levels.push({ width, height, sizes: done.map((c) => c.byteLength), chunks: done });
    }

    const ifdSizes = levels.map((level, k) => ifdLayout(this.entries(level, k, [], [])).size);
    const headerAndIfds = 8 + ifdSizes.reduce((s, v) => s + v, 0);
    // Pixel data: smallest overview first, full resolution last.
    const dataStart: number[] = new Array<number>(levels.length);
    let cursor = headerAndIfds;
    for (let k = levels.length - 1; k >= 0; k--) {
      dataStart[k] = cursor;
      cursor += levels[k]!.sizes.reduce((s, v) => s + v, 0);
    }
    if (cursor > 0xffffffff) throw new Error('orthomosaic exceeds 4 GiB: a BigTIFF writer would be needed');

    const parts: Buffer[] = [Buffer.from([0x49, 0x49, 42, 0, 8, 0, 0, 0])];
    let ifdOffset = 8;
    levels.forEach((level, k) => {
      const offsets: number[] = [];
      let at = dataStart[k]!;
      for (const size of level.sizes) {
        offsets.push(at);
        at += size;
      }
      const nextIfd = k + 1 < levels.length ? ifdOffset + ifdSizes[k]! : 0;
      const ifd = encodeIfd(this.entries(level, k, offsets, level.sizes), ifdOffset, nextIfd);
      parts.push(ifd);
      ifdOffset += ifd.byteLength;
    });
    const out = createWriteStream(path);
    const write = (chunk: Buffer) =>
      new Promise<void>((resolve, reject) => out.write(chunk, (e) => (e ? reject(e) : resolve())));
    for (const part of parts) await write(part);
    for (let k = levels.length - 1; k >= 1; k--) for (const chunk of levels[k]!.chunks!) await write(chunk);
    if (this.sizes.length) await pipeline(createReadStream(this.tempPath), out);
    else await new Promise<void>((resolve) => out.end(resolve));
    await unlink(this.tempPath).catch(() => undefined);
    return { bytes: cursor, overviews: levels.length - 1 };
  }

  private entries(level: LevelTiles, k: number, offsets: number[], sizes: number[]): IfdEntry[] {
    const tiles = M.ceil(level.width / this.tileSize) * M.ceil(level.height / this.tileSize);
    const pad = (values: number[]) => (values.length ? values : new Array<number>(tiles).fill(0));
    const entries: IfdEntry[] = [
      [254, LONG, [k === 0 ? 0 : 1]],
      [256, LONG, [level.width]],
      [257, LONG, [level.height]],
      [258, SHORT, [8, 8, 8, 8]],
      [259, SHORT, [8]], // Adobe DEFLATE
      [262, SHORT, [2]], // RGB
      [277, SHORT, [4]],
      [284, SHORT, [1]],
      [317, SHORT, [2]], // horizontal predictor
      [322, SHORT, [this.tileSize]],
      [323, SHORT, [this.tileSize]],
      [324, LONG, pad(offsets)],
      [325, LONG, pad(sizes)],
      [338, SHORT, [2]], // unassociated alpha
      [339, SHORT, [1, 1, 1, 1]],
    ];
    if (k === 0) {
      const g = this.georeference;
      entries.push(
        [33550, DOUBLE, [g.pixelSize, g.pixelSize, 0]],
        [33922, DOUBLE, [0, 0, 0, g.originX, g.originY, 0]],
        // GeoKeyDirectory: projected (1024 = 1), pixel is area (1025 = 1), EPSG code (3072).
        [34735, SHORT, [1, 1, 0, 3, 1024, 0, 1, 1, 1025, 0, 1, 1, 3072, 0, 1, g.epsg]],
      );
    }
    return entries;
  }
}

const SHORT = 3;
const LONG = 4;
const DOUBLE = 12;
type IfdEntry = [tag: number, type: number, values: number[]];
const TYPE_BYTES: Record<number, number> = { [SHORT]: 2, [LONG]: 4, [DOUBLE]: 8 };

function ifdLayout(entries: IfdEntry[]): { size: number } {
  let extra = 0;
  for (const [, type, values] of entries) {
    const bytes = TYPE_BYTES[type]! * values.length;
    if (bytes > 4) extra += bytes + (bytes % 2);
  }
  return { size: 2 + entries.length * 12 + 4 + extra };
}

function encodeIfd(entries: IfdEntry[], offset: number, nextIfd: number): Buffer {
  const { size } = ifdLayout(entries);
  const buffer = Buffer.alloc(size);
  buffer.writeUInt16LE(entries.length, 0);
  let extraAt = 2 + entries.length * 12 + 4;
  entries.forEach(([tag, type, values], index) => {
    const at = 2 + index * 12;
    buffer.writeUInt16LE(tag, at);
    buffer.writeUInt16LE(type, at + 2);
    buffer.writeUInt32LE(values.length, at + 4);
    const bytes = TYPE_BYTES[type]! * values.length;
    const target = bytes > 4 ? extraAt : at + 8;
    if (bytes > 4) {
      buffer.writeUInt32LE(offset + extraAt, at + 8);
      extraAt += bytes + (bytes % 2);
    }
    values.forEach((value, i) => {
      if (type === SHORT) buffer.writeUInt16LE(value, target + i * 2);
      else if (type === LONG) buffer.writeUInt32LE(value, target + i * 4);
      else buffer.writeDoubleLE(value, target + i * 8);
    });
  });
  buffer.writeUInt32LE(nextIfd, 2 + entries.length * 12);
  return buffer;
}

async function compressTile(rgba: Uint8Array, size: number, on: CompressOn): Promise<Buffer> {
  const predicted = new Uint8Array(rgba);
  const stride = size * 4;
  for (let y = 0; y < size; y++) {
    const row = y * stride;
    for (let i = stride - 1; i >= 4; i--) predicted[row + i] = (predicted[row + i]! - predicted[row + i - 4]!) & 0xff;
  }
  return on === 'this-thread' ? deflateSync(predicted, { level: LEVEL }) : deflateAsync(predicted, { level: LEVEL });
}

async function tileLevel(data: Uint8Array, width: number, height: number, size: number): Promise<Buffer[]> {
  const done: Buffer[] = [];
  let pending: Promise<Buffer>[] = [];
  for (let ty = 0; ty < M.ceil(height / size); ty++) {
    for (let tx = 0; tx < M.ceil(width / size); tx++) {
      const tile = new Uint8Array(size * size * 4);
      for (let y = 0; y < size && ty * size + y < height; y++) {
        const from = ((ty * size + y) * width + tx * size) * 4;
        const count = M.min(size, width - tx * size) * 4;
        tile.set(data.subarray(from, from + count), y * size * 4);
      }
      // Compressed on libuv's thread pool, a few at a time (each holds an uncompressed copy).
      pending.push(compressTile(tile, size, 'thread-pool'));
      if (pending.length === 16) {
        done.push(...(await Promise.all(pending)));
        pending = [];
      }
    }
  }
  done.push(...(await Promise.all(pending)));
  return done;
}

/** A raster at half the size: each pixel the alpha-weighted mean of a 2×2 block. */
export function halve(
  data: Uint8Array,
  width: number,
  height: number,
): { data: Uint8Array; width: number; height: number } {
  const w = M.ceil(width / 2);
  const h = M.ceil(height / 2);
  const out = new Uint8Array(w * h * 4);
  halveInto(data, width, height, out, w, h, 0, 0);
  return { data: out, width: w, height: h };
}

/** Writes the half-size version of `src` (srcWidth × srcHeight) into `dst` at (dx, dy). */
function halveInto(
  src: Uint8Array,
  srcWidth: number,
  srcHeight: number,
  dst: Uint8Array,
  dstWidth: number,
  dstHeight: number,
  dx: number,
  dy: number,
): void {
  const w = M.ceil(srcWidth / 2);
  const h = M.ceil(srcHeight / 2);
  for (let y = 0; y < h && dy + y < dstHeight; y++) {
    for (let x = 0; x < w && dx + x < dstWidth; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let k = 0; k < 4; k++) {
        const sx = 2 * x + (k & 1);
        const sy = 2 * y + (k >> 1);
        if (sx >= srcWidth || sy >= srcHeight) continue;
        const i = (sy * srcWidth + sx) * 4;
        const alpha = src[i + 3]!;
        r += src[i]! * alpha;
        g += src[i + 1]! * alpha;
        b += src[i + 2]! * alpha;
        a += alpha;
      }
      const o = ((dy + y) * dstWidth + dx + x) * 4;
      if (a === 0) continue;
      dst[o] = M.round(r / a);
      dst[o + 1] = M.round(g / a);
      dst[o + 2] = M.round(b / a);
      dst[o + 3] = M.round(a / 4);
    }
  }
}
