import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { detectFeatures, type ImageFeatures, matchPair, type PairMatch, type WorkingImage } from './feature-matching';
import { loadOpenCv } from './opencv';

/** Feature detection and matching, on this thread or spread over worker threads. */
export interface FeatureBackend {
  /** How many detections or matches run at once. */
  readonly threads: number;
  detect(image: WorkingImage, maxKeypoints: number): Promise<ImageFeatures>;
  match(i: number, j: number, a: ImageFeatures, b: ImageFeatures): Promise<PairMatch | undefined>;
}

/** Messages to a feature worker (feature-worker.ts). */
export type FeatureRequest =
  | { id: number; kind: 'detect'; image: WorkingImage; maxKeypoints: number }
  | { id: number; kind: 'match'; i: number; j: number; a: ImageFeatures; b: ImageFeatures };
/** Its answers. */
export type FeatureResponse =
  { id: number; ok: true; result: ImageFeatures | PairMatch | undefined } | { id: number; ok: false; message: string };

const WORKER_SCRIPT = join(__dirname, 'feature-worker.js');
let shared: Promise<FeatureBackend> | undefined;

/**
 * OpenCV.js is single-threaded WebAssembly, so registration used one core of two; worker threads,
 * each with its own OpenCV instance, detect and match images side by side. The pool is created
 * once per process and lets the process exit when idle. Where the compiled worker script is absent
 * (tests run the TypeScript sources) or there is one core, everything runs on this thread.
 */
export function featureBackend(): Promise<FeatureBackend> {
  const threads = Math.min(4, availableParallelism());
  if (threads < 2 || !existsSync(WORKER_SCRIPT)) return inThisThread();
  shared ??= Promise.resolve(new FeatureWorkerPool(threads, WORKER_SCRIPT));
  return shared;
}

async function inThisThread(): Promise<FeatureBackend> {
  const cv = await loadOpenCv();
  return {
    threads: 1,
    detect: async (image, maxKeypoints) => detectFeatures(cv, image, maxKeypoints),
    match: async (i, j, a, b) => matchPair(cv, i, j, a, b),
  };
}

interface Task {
  readonly request: FeatureRequest;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/**
 * Worker threads running `script` (feature-worker.js; tests give their own), one task each at a time.
 * Not piscina: it replaces a crashed thread for the next task, so a thread that cannot start (OpenCV
 * failing to load) would be started again for every waiting task; this pool replaces only threads
 * that have answered once, fails the waiting tasks when none is left, and unrefs idle threads so
 * the process exits when registration is done.
 */
export class FeatureWorkerPool implements FeatureBackend {
  private readonly idle: Worker[] = [];
  private readonly queue: Task[] = [];
  private readonly inFlight = new Map<Worker, Task>();
  /** Workers that have answered at least once: only those are replaced when they die. */
  private readonly proven = new WeakSet<Worker>();
  private alive = 0;
  private nextId = 0;

  constructor(
    readonly threads: number,
    private readonly script: string,
  ) {
    for (let k = 0; k < threads; k++) this.idle.push(this.spawn());
  }

  detect(image: WorkingImage, maxKeypoints: number): Promise<ImageFeatures> {
    return this.run({ id: this.nextId++, kind: 'detect', image, maxKeypoints }) as Promise<ImageFeatures>;
  }

  match(i: number, j: number, a: ImageFeatures, b: ImageFeatures): Promise<PairMatch | undefined> {
    return this.run({ id: this.nextId++, kind: 'match', i, j, a, b }) as Promise<PairMatch | undefined>;
  }

  private run(request: FeatureRequest): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.idle.length && this.queue.length) {
      const worker = this.idle.pop()!;
      const task = this.queue.shift()!;
      this.inFlight.set(worker, task);
      // A busy worker keeps the process alive; an idle one does not.
      worker.ref();
      worker.postMessage(task.request);
    }
  }

  private spawn(): Worker {
    const worker = new Worker(this.script);
    this.alive++;
    worker.unref();
    worker.on('message', (response: FeatureResponse) => {
      this.proven.add(worker);
      const task = this.inFlight.get(worker);
      this.inFlight.delete(worker);
      worker.unref();
      this.idle.push(worker);
      if (task && response.id === task.request.id) {
        if (response.ok) task.resolve(response.result);
        else task.reject(new Error(response.message));
      }
      this.dispatch();
    });
    worker.on('error', (error) => this.replace(worker, error));
    worker.on('exit', (code) => this.replace(worker, new Error(`feature worker exited with code ${code}`)));
    return worker;
  }

  /**
   * A worker that died fails its task only, and a fresh one takes its place — unless it died
   * before answering anything (it cannot start here): then it is not replaced, and once none is
   * left the waiting tasks fail with its error instead of waiting for ever.
   */
  private replace(worker: Worker, error: Error): void {
    const task = this.inFlight.get(worker);
    const wasIdle = this.idle.indexOf(worker);
    if (!task && wasIdle < 0) return;
    this.inFlight.delete(worker);
    if (wasIdle >= 0) this.idle.splice(wasIdle, 1);
    worker.removeAllListeners();
    void worker.terminate();
    this.alive--;
    task?.reject(error);
    if (this.proven.has(worker)) this.idle.push(this.spawn());
    else if (this.alive === 0) {
      for (const waiting of this.queue.splice(0)) waiting.reject(error);
      // The next registration tries again with a new pool.
      shared = undefined;
    }
    this.dispatch();
  }
}
