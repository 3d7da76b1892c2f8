import { keys, Scene3dSchema, stageOutputKey } from '@aerial/contracts';
import { LocalFolderStore, putJson } from '@aerial/runtime';
import type { FastifyInstance } from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Publications } from '../../products/publications';
import { pluginApp, publish } from '../test-support/plugin-app';
import { opticalAxis, scene3dRoutes } from './scene-3d';

/** A binary PLY as the SfM stage writes its sparse points: float x y z, uchar r g b. */
function sparsePly(points: [number, number, number, number, number, number][]): Buffer {
  const header = Buffer.from(
    `ply\nformat binary_little_endian 1.0\nelement vertex ${points.length}\n` +
      'property float x\nproperty float y\nproperty float z\n' +
      'property uchar red\nproperty uchar green\nproperty uchar blue\nend_header\n',
  );
  const body = Buffer.alloc(points.length * 15);
  points.forEach(([x, y, z, r, g, b], i) => {
    body.writeFloatLE(x, i * 15);
    body.writeFloatLE(y, i * 15 + 4);
    body.writeFloatLE(z, i * 15 + 8);
    body.writeUInt8(r, i * 15 + 12);
    body.writeUInt8(g, i * 15 + 13);
    body.writeUInt8(b, i * 15 + 14);
  });
  return Buffer.concat([header, body]);
}

const splatManifest = (jobId: string, trained: boolean) => ({
  jobId,
  stage: 'Splat',
  startedAt: '2026-11-28T10:00:00Z',
  finishedAt: '2026-11-28T10:00:05Z',
  outputs: [],
  summary: {
    splats: 2,
    trained,
    trainer: trained ? '/opt/gsplat/train' : null,
    shDegree: 0,
    note: trained ? 'trained on a GPU node' : 'untrained: the standard 3DGS initialisation from SfM points',
  },
});

describe('3D scene routes', () => {
  let dir: string;
  let store: LocalFolderStore;
  let app: FastifyInstance;
  const sog = Buffer.from('PK\u0003\u0004 a SOG zip');

  /** A published 3D job: SOG, sparse points, cameras and the Splat stage's summary. */
  async function publish3d(jobId: string, trained: boolean | undefined): Promise<void> {
    const { prefix } = await publish(store, jobId, { sog: '3d/splats.sog', 'sparse-model': '3d/sparse.ply' });
    await store.put(`${prefix}/3d/splats.sog`, sog);
    await store.put(
      `${prefix}/3d/sparse.ply`,
      sparsePly([
        [1.5, -2, 30, 255, 0, 10],
        [-4, 8.25, -1, 20, 40, 60],
      ]),
    );
    await putJson(store, stageOutputKey(jobId, 'SfM', 'cameras'), {
      frame: 'ENU',
      origin: { latitude: 50.8, longitude: -0.1, altitude: 12 },
      images: [
        // Nadir: the camera's z axis points down (a half turn about x).
        { image: 'a.jpg', registered: true, centerEnu: [0, 0, 40], qvec: [0, 1, 0, 0] },
        { image: 'b.jpg', registered: false },
      ],
    });
    if (trained !== undefined) await putJson(store, keys.manifest(jobId, 'Splat'), splatManifest(jobId, trained));
  }

  /** A `3d` job: no Metadata or Publish, so the scene comes from the stages' own outputs. */
  async function unpublished3d(jobId: string): Promise<void> {
    const manifest = (stage: string, role: string, key: string, body: Buffer) => ({
      jobId,
      stage,
      startedAt: '2026-11-28T10:00:00Z',
      finishedAt: '2026-11-28T10:00:05Z',
      outputs: [{ key, contentType: 'application/octet-stream', bytes: body.length, role }],
      summary: {},
    });
    const ply = sparsePly([[7, 8, 9, 1, 2, 3]]);
    const sogKey = stageOutputKey(jobId, 'Compress', 'sog');
    const plyKey = stageOutputKey(jobId, 'SfM', 'sparse-model');
    await store.put(sogKey, sog);
    await store.put(plyKey, ply);
    await putJson(store, keys.manifest(jobId, 'Compress'), manifest('Compress', 'sog', sogKey, sog));
    await putJson(store, keys.manifest(jobId, 'SfM'), manifest('SfM', 'sparse-model', plyKey, ply));
    await putJson(store, keys.manifest(jobId, 'Splat'), splatManifest(jobId, false));
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aerial-scene-'));
    store = new LocalFolderStore(dir);
    await publish3d('job-scene-untrained', false);
    await publish3d('job-scene-trained', true);
    await publish3d('job-scene-nosummary', undefined);
    await publish(store, 'job-scene-map', { orthomosaic: 'orthomosaic.tif' });
    await unpublished3d('job-scene-3d');
    app = await pluginApp((a) =>
      a.register(scene3dRoutes, { store, published: store, publications: new Publications(store) }),
    );
  });
  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the scene labels an untrained initialisation as such and lists the registered cameras', async () => {
    const response = await app.inject({ url: '/api/jobs/job-scene-untrained/scene' });
    expect(response.statusCode).toBe(200);
    const scene = Scene3dSchema.parse(response.json());
    expect(scene).toEqual({
      frame: 'ENU',
      origin: { latitude: 50.8, longitude: -0.1, altitude: 12 },
      splats: {
        href: '/api/jobs/job-scene-untrained/scene/splats.sog',
        bytes: sog.length,
        count: 2,
        kind: 'untrained-initialisation',
        note: 'untrained: the standard 3DGS initialisation from SfM points',
      },
      points: { href: '/api/jobs/job-scene-untrained/scene/points.bin', count: 2 },
      cameras: [{ image: 'a.jpg', position: [0, 0, 40], forward: [0, 0, -1] }],
    });
  });

  test('a trained model is labelled trained; without the Splat summary it is not called trained', async () => {
    const trained = (await app.inject({ url: '/api/jobs/job-scene-trained/scene' })).json<{
      splats: { kind: string };
    }>();
    expect(trained.splats.kind).toBe('trained');
    const unknown = (await app.inject({ url: '/api/jobs/job-scene-nosummary/scene' })).json<{
      splats: { kind: string; count: number | null };
    }>();
    expect(unknown.splats).toMatchObject({ kind: 'untrained-initialisation', count: null });
  });

  test('the SOG is served byte for byte under a .sog name', async () => {
    const response = await app.inject({ url: '/api/jobs/job-scene-untrained/scene/splats.sog' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-length']).toBe(String(sog.length));
    expect(response.rawPayload.equals(sog)).toBe(true);
  });

  test('the sparse points come packed: float32 positions, then RGB bytes', async () => {
    const response = await app.inject({ url: '/api/jobs/job-scene-untrained/scene/points.bin' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-point-count']).toBe('2');
    const body = response.rawPayload;
    expect(body.length).toBe(2 * 15);
    const positions = new Float32Array(body.buffer.slice(body.byteOffset, body.byteOffset + 24));
    expect([...positions]).toEqual([1.5, -2, 30, -4, 8.25, -1]);
    expect([...body.subarray(24)]).toEqual([255, 0, 10, 20, 40, 60]);
  });

  test('a 3d job, which Publish does not run for, is viewed from its stage outputs', async () => {
    const scene = (await app.inject({ url: '/api/jobs/job-scene-3d/scene' })).json<{
      splats: { kind: string; bytes: number };
      points: { count: number };
      cameras: unknown[];
    }>();
    expect(scene).toMatchObject({
      splats: { kind: 'untrained-initialisation', bytes: sog.length },
      points: { count: 1 },
      cameras: [],
    });
    expect((await app.inject({ url: '/api/jobs/job-scene-3d/scene/splats.sog' })).rawPayload.equals(sog)).toBe(true);
    const points = (await app.inject({ url: '/api/jobs/job-scene-3d/scene/points.bin' })).rawPayload;
    expect([...points.subarray(12)]).toEqual([1, 2, 3]);
  });

  test('a job without 3D products, or unknown, is 404', async () => {
    expect((await app.inject({ url: '/api/jobs/job-scene-map/scene' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/api/jobs/job-scene-none/scene' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/api/jobs/job-scene-map/scene/splats.sog' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/api/jobs/job-scene-map/scene/points.bin' })).statusCode).toBe(404);
  });

  test('the optical axis of a nadir camera points down; of an identity rotation along +z', () => {
    expect(opticalAxis([0, 1, 0, 0])).toEqual([0, 0, -1]);
    expect(opticalAxis([1, 0, 0, 0])).toEqual([0, 0, 1]);
  });
});
