import { parentPort } from 'node:worker_threads';
import { detectFeatures, matchPair } from './feature-matching';
import type { FeatureRequest, FeatureResponse } from './feature-workers';
import { loadOpenCv } from './opencv';

// A worker thread of feature-workers.ts: its own OpenCV instance, one request at a time.
const port = parentPort;
if (!port) throw new Error('feature-worker.js runs as a worker thread (see feature-workers.ts)');
const ready = loadOpenCv();
// A failed load is answered to each request (below), not left to end the thread unhandled.
ready.catch(() => undefined);

port.on('message', (request: FeatureRequest) => {
  void ready
    .then((cv) =>
      request.kind === 'detect'
        ? detectFeatures(cv, request.image, request.maxKeypoints)
        : matchPair(cv, request.i, request.j, request.a, request.b),
    )
    .then(
      (result) => {
        const response: FeatureResponse = { id: request.id, ok: true, result };
        port.postMessage(response);
      },
      (e: unknown) => {
        const response: FeatureResponse = { id: request.id, ok: false, message: (e as Error).message ?? String(e) };
        port.postMessage(response);
      },
    );
});
