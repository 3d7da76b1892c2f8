import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImageFeatures } from './feature-matching';
import { FeatureWorkerPool } from './feature-workers';

// The real worker script is the compiled feature-worker.js (the Hub's end-to-end tests run it);
// these stand-ins speak the same protocol, so the pool's own behaviour is tested here.
describe('FeatureWorkerPool', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'aerial-feature-pool-'));
    writeFileSync(
      join(dir, 'echo.js'),
      `const { parentPort, threadId } = require('node:worker_threads');
       parentPort.on('message', (m) => setTimeout(() => {
         if (m.kind === 'detect' && m.image.width === 0) parentPort.postMessage({ id: m.id, ok: false, message: 'empty image' });
         else if (m.kind === 'detect') parentPort.postMessage({ id: m.id, ok: true, result: { points: new Float32Array(2), descriptors: new Uint8Array(61), descriptorBytes: 61, count: m.image.width + threadId * 0 } });
         else parentPort.postMessage({ id: m.id, ok: true, result: undefined });
       }, 5));`,
    );
    writeFileSync(join(dir, 'broken.js'), `throw new Error('no OpenCV here');`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const image = (width: number) => ({ grey: new Uint8Array(width), width, height: 1, scale: 1 });

  test('spreads tasks over its threads and answers each with its own result', async () => {
    const pool = new FeatureWorkerPool(2, join(dir, 'echo.js'));
    const features = await Promise.all([1, 2, 3, 4, 5].map((w) => pool.detect(image(w), 10)));
    expect(features.map((f) => f.count)).toEqual([1, 2, 3, 4, 5]);
    await expect(pool.detect(image(0), 10)).rejects.toThrow('empty image');
    const some = features[0] as ImageFeatures;
    await expect(pool.match(0, 1, some, some)).resolves.toBeUndefined();
  });

  test('threads that cannot start fail the waiting tasks instead of hanging or respawning', async () => {
    const pool = new FeatureWorkerPool(2, join(dir, 'broken.js'));
    const results = await Promise.allSettled([1, 2, 3].map((w) => pool.detect(image(w), 10)));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect((results[0] as PromiseRejectedResult).reason.message).toMatch(/no OpenCV here/);
  });
});
