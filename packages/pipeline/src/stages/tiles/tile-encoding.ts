import sharp from 'sharp';
import { TILE_SIZE } from '../../geo/web-mercator';

/**
 * Permits for tiles being encoded or stored at once, shared by the levels cut side by side. Each
 * permit is a tile's pixel buffer, used again by the next tile: a fresh 256 KiB buffer per tile
 * cost more in page faults and garbage collection than copying the pixels. A pool of buffers, so
 * not the pipeline's concurrency helper (forEachLimited), which bounds tasks over indices.
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

/** How a level's tiles are encoded and where they go. */
export interface CutOptions {
  /** Encodes and stores one tile; `column`/`row` count from the level's first XYZ tile. */
  readonly onTile: (column: number, row: number, webp: Buffer) => Promise<void>;
  readonly slots: EncodeSlots;
  readonly webp: sharp.WebpOptions;
  /** Rows of tiles done out of the level's total. */
  readonly onRows?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
}

/**
 * Encodes a level's tiles as WebP on libuv's threads, many at once, each in a slot's buffer that
 * goes back to the slots once the tile is stored. The first failure is kept: the level stops
 * taking tiles, and `finish` reports it after every started tile has ended.
 */
export class TileEncoder {
  private readonly running = new Set<Promise<void>>();
  private failure: unknown;
  private failed = false;
  written = 0;

  constructor(private readonly o: CutOptions) {}

  /** Whether a tile has failed: the level should stop. */
  get stopped(): boolean {
    return this.failed;
  }

  /** Encodes `tile` (a buffer from the slots, TILE_SIZE² RGBA) as the tile at (`column`, `row`). */
  encode(tile: Buffer, column: number, row: number): void {
    const T = TILE_SIZE;
    const job = sharp(tile, { raw: { width: T, height: T, channels: 4 } })
      .webp(this.o.webp)
      .toBuffer()
      .then((webp) => this.o.onTile(column, row, webp))
      .then(
        () => void this.written++,
        (e: unknown) => {
          if (this.failed) return;
          this.failed = true;
          this.failure = e;
        },
      )
      .finally(() => {
        this.running.delete(job);
        this.o.slots.release(tile);
      });
    this.running.add(job);
  }

  /** Waits for every started tile; throws the first failure, if any. */
  async finish(): Promise<number> {
    await this.settle();
    if (this.failed) throw this.failure;
    return this.written;
  }

  /** Waits for every started tile, whatever their outcome (for a level that is failing anyway). */
  async settle(): Promise<void> {
    await Promise.allSettled(this.running);
  }
}
