import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { type MessagePort, Worker } from 'node:worker_threads';
import { CogWriter, type CompressOn, type Georeference } from './cog-writer';

/** What a COG writer is made from; crosses to its thread as `workerData`. */
export interface CogInit {
  readonly width: number;
  readonly height: number;
  readonly tileSize: number;
  readonly georeference: Georeference;
  readonly tempPath: string;
}

export interface CogResult {
  readonly bytes: number;
  readonly overviews: number;
  /** The half-resolution level (RGBA), e.g. for a preview. */
  readonly half: { data: Uint8Array; width: number; height: number };
}

/** Takes the mosaic's full-resolution tiles in row-major order and writes the COG. */
export interface CogSink {
  /** Resolves when the sink can take the next tile; `rgba` is the sink's from then on. */
  addTile(column: number, row: number, rgba: Uint8Array): Promise<void>;
  finish(path: string): Promise<CogResult>;
  /** Stops the writer, finished or not. */
  close(): Promise<void>;
}

/** Messages to the writer's thread. */
type ToWriter = { kind: 'tile'; column: number; row: number; rgba: Uint8Array } | { kind: 'finish'; path: string };
/** Its answers. */
type FromWriter = { kind: 'tile-done' } | { kind: 'finished'; result: CogResult } | { kind: 'failed'; message: string };

/** Tiles handed over and not yet written: each holds a megabyte. */
const TILES_IN_FLIGHT = 4;
const WORKER_SCRIPT = join(__dirname, 'cog-writer-worker.js');

/**
 * A COG writer on a worker thread of its own when there is more than one core: predicting,
 * compressing and halving each tile took the rendering thread half its time (and its compression
 * queued behind image decodes on libuv's threads), so rendering the next tile now runs beside
 * writing the last. In this thread where the compiled worker script is absent (tests run the
 * TypeScript sources); `serveCogWriter` is the same code either way.
 */
export function openCogWriter(init: CogInit): CogSink {
  if (availableParallelism() < 2 || !existsSync(WORKER_SCRIPT)) return inThisThread(init);
  const worker = new Worker(WORKER_SCRIPT, { workerData: init });
  return new RemoteCogWriter(worker, () => worker.terminate().then(() => undefined));
}

function inThisThread(init: CogInit): CogSink {
  const writer = new CogWriter(init.width, init.height, init.tileSize, init.georeference, init.tempPath);
  return {
    addTile: (column, row, rgba) => writer.addTile(column, row, rgba),
    finish: async (path) => ({ ...(await writer.finish(path)), half: writer.halfLevel() }),
    close: async () => undefined,
  };
}

/** The thread's side: a writer that compresses on this thread, answering each message in turn. */
export function serveCogWriter(port: MessagePort, init: CogInit): void {
  const writer = new CogWriter(
    init.width,
    init.height,
    init.tileSize,
    init.georeference,
    init.tempPath,
    'this-thread' satisfies CompressOn,
  );
  let queue = Promise.resolve();
  let failed = false;
  port.on('message', (message: ToWriter) => {
    queue = queue.then(async () => {
      if (failed) return;
      try {
        if (message.kind === 'tile') {
          await writer.addTile(message.column, message.row, message.rgba);
          port.postMessage({ kind: 'tile-done' } satisfies FromWriter);
        } else {
          const result: CogResult = { ...(await writer.finish(message.path)), half: writer.halfLevel() };
          port.postMessage({ kind: 'finished', result } satisfies FromWriter, [result.half.data.buffer as ArrayBuffer]);
        }
      } catch (e) {
        failed = true;
        port.postMessage({ kind: 'failed', message: (e as Error).message ?? String(e) } satisfies FromWriter);
      }
    });
  });
}

/** Where the writer's thread answers: a Worker, or one end of a MessageChannel. */
interface Endpoint {
  postMessage(value: unknown, transferList?: readonly ArrayBuffer[]): void;
  on(event: 'message', listener: (message: FromWriter) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
}

/** The rendering thread's side: hands tiles over (moved, not copied) and waits only when too many are in flight. */
export class RemoteCogWriter implements CogSink {
  private inFlight = 0;
  private failure: Error | undefined;
  private readonly waiting: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private finishing: { resolve: (r: CogResult) => void; reject: (e: Error) => void } | undefined;

  constructor(
    private readonly endpoint: Endpoint,
    private readonly stop: () => Promise<void>,
  ) {
    endpoint.on('message', (message: FromWriter) => {
      if (message.kind === 'tile-done') {
        this.inFlight--;
        this.waiting.shift()?.resolve();
      } else if (message.kind === 'finished') this.finishing?.resolve(message.result);
      else this.fail(new Error(`COG writer: ${message.message}`));
    });
    endpoint.on('error', (e: Error) => this.fail(e));
    endpoint.on('exit', (code: number) => this.fail(new Error(`COG writer thread exited with code ${code}`)));
  }

  async addTile(column: number, row: number, rgba: Uint8Array): Promise<void> {
    if (this.failure) throw this.failure;
    this.inFlight++;
    // Moved, not copied; a view into a larger buffer is copied first, so that moving it takes nothing else.
    const own = rgba.byteOffset === 0 && rgba.byteLength === rgba.buffer.byteLength ? rgba : rgba.slice();
    const message: ToWriter = { kind: 'tile', column, row, rgba: own };
    this.endpoint.postMessage(message, [own.buffer as ArrayBuffer]);
    if (this.inFlight >= TILES_IN_FLIGHT)
      await new Promise<void>((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  finish(path: string): Promise<CogResult> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<CogResult>((resolve, reject) => {
      this.finishing = { resolve, reject };
      this.endpoint.postMessage({ kind: 'finish', path } satisfies ToWriter);
    });
  }

  close(): Promise<void> {
    // Whatever happens to the thread from now on is not a failure of this writer.
    this.failure ??= new Error('COG writer closed');
    return this.stop();
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    for (const waiter of this.waiting.splice(0)) waiter.reject(error);
    this.finishing?.reject(error);
  }
}
