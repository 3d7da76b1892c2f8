import { type Scene3d, Scene3dSchema, SfmCamerasSchema, type SfmCameras, stageOutputKey } from '@aerial/contracts';
import { getJson, type ObjectStore, optionalStageOutputs } from '@aerial/runtime';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { LRUCache } from 'lru-cache';
import type { Publications } from '../../products/publications';
import { packSparsePoints } from '../../products/sparse-points';
import { ErrorBodySchema, notFound } from '../errors';
import { JobParams } from './params';

export interface Scene3dRoutesOptions {
  /** The work store: the SfM cameras and the Splat stage's summary. */
  readonly store: ObjectStore;
  /** Where Publish wrote the products (the SOG and the sparse points). */
  readonly published: ObjectStore;
  readonly publications: Publications;
}

/** Where one of the scene's bodies lies: a published product, or the stage output of a job never published. */
interface Located {
  readonly store: ObjectStore;
  readonly key: string;
  readonly bytes: number;
  readonly etag: string | undefined;
}

/**
 * What the page's 3D viewer loads: the scene (splats with whether they are trained, the sparse
 * points, the registered cameras) and its two bodies, the SOG and the points packed for a browser
 * (cached by object and ETag).
 */
export const scene3dRoutes: FastifyPluginAsync<Scene3dRoutesOptions> = async (plain, options) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const { store, published, publications } = options;
  // Packed sparse points by object and ETag: ~15 bytes a point, a few hundred KB a job.
  const packed = new LRUCache<string, { count: number; body: Buffer }>({
    maxSize: 64 * 1024 * 1024,
    sizeCalculation: (v) => Math.max(1, v.body.length),
  });

  /**
   * The SOG or the sparse PLY of a job: the published product when the job was published (presets
   * `map` and `full`), else the stage's own output (preset `3d` runs neither Metadata nor Publish).
   */
  const locate = async (jobId: string, product: 'sog' | 'sparse-model'): Promise<Located | undefined> => {
    const p = await publications.current(jobId);
    const path = p?.products[product];
    if (p && path) {
      const head = await published.head(`${p.prefix}/${path}`);
      if (head) return { store: published, key: `${p.prefix}/${path}`, bytes: head.bytes, etag: head.etag };
    }
    const outputs =
      product === 'sog'
        ? await optionalStageOutputs(store, jobId, 'Compress')
        : await optionalStageOutputs(store, jobId, 'SfM');
    const output = outputs?.manifest.outputs.find((o) => o.role === product);
    const head = output ? await store.head(output.key) : undefined;
    return output && head ? { store, key: output.key, bytes: head.bytes, etag: head.etag } : undefined;
  };

  const sparsePoints = async (jobId: string) => {
    const ply = await locate(jobId, 'sparse-model');
    if (!ply) return undefined;
    const cacheKey = `${ply.key}|${ply.etag ?? ply.bytes}`;
    const hit = packed.get(cacheKey);
    if (hit) return hit;
    const points = packSparsePoints(await ply.store.get(ply.key));
    packed.set(cacheKey, points);
    return points;
  };

  app.get(
    '/api/jobs/:jobId/scene',
    {
      schema: {
        summary: "A job's 3D scene for the viewer: splats (trained or not), sparse points and cameras",
        tags: ['products'],
        params: JobParams,
        response: { 200: Scene3dSchema, 404: ErrorBodySchema },
      },
    },
    async (request): Promise<Scene3d> => {
      const { jobId } = request.params;
      const [sog, points] = await Promise.all([locate(jobId, 'sog'), sparsePoints(jobId)]);
      if (!sog && !points) throw notFound(`3D products for job ${jobId}`);
      const camerasKey = stageOutputKey(jobId, 'SfM', 'cameras');
      const cameras: SfmCameras | undefined = (await store.head(camerasKey))
        ? SfmCamerasSchema.parse(await getJson(store, camerasKey))
        : undefined;
      const splat = (await optionalStageOutputs(store, jobId, 'Splat'))?.summary();
      return {
        frame: 'ENU',
        origin: cameras?.origin ?? null,
        splats: sog
          ? {
              href: `/api/jobs/${jobId}/scene/splats.sog`,
              bytes: sog.bytes,
              count: splat?.splats ?? null,
              // Without the Splat stage's word the model is not called trained.
              kind: splat?.trained ? 'trained' : 'untrained-initialisation',
              note: splat?.note ?? 'the Splat stage left no summary: treated as untrained',
            }
          : null,
        points: points ? { href: `/api/jobs/${jobId}/scene/points.bin`, count: points.count } : null,
        cameras: (cameras?.images ?? []).flatMap((c) =>
          c.registered && c.centerEnu && c.qvec
            ? [{ image: c.image, position: c.centerEnu as [number, number, number], forward: opticalAxis(c.qvec) }]
            : [],
        ),
      };
    },
  );

  app.get(
    '/api/jobs/:jobId/scene/splats.sog',
    {
      schema: {
        summary: "A job's compressed splats (SOG) for the 3D viewer (named .sog: viewers pick the format by it)",
        tags: ['products'],
        params: JobParams,
      },
    },
    async (request, reply) => {
      const { jobId } = request.params;
      const sog = await locate(jobId, 'sog');
      if (!sog) throw notFound(`splats for job ${jobId}`);
      reply
        .header('content-length', String(sog.bytes))
        .header('cache-control', 'private, max-age=300')
        .type('application/octet-stream');
      return reply.send(await sog.store.getStream(sog.key));
    },
  );

  app.get(
    '/api/jobs/:jobId/scene/points.bin',
    {
      schema: {
        summary: "A job's sparse points packed for a browser: float32 xyz × count, then uint8 rgb × count",
        tags: ['products'],
        params: JobParams,
      },
    },
    async (request, reply) => {
      const { jobId } = request.params;
      const points = await sparsePoints(jobId);
      if (!points) throw notFound(`sparse points for job ${jobId}`);
      reply
        .header('x-point-count', String(points.count))
        .header('cache-control', 'private, max-age=300')
        .type('application/octet-stream');
      return reply.send(points.body);
    },
  );
};

/** The camera's optical axis (+z of the camera) in the world: Rᵀ·[0, 0, 1] for COLMAP's world→camera qvec. */
export function opticalAxis(qvec: readonly number[]): [number, number, number] {
  const [w, x, y, z] = qvec as [number, number, number, number];
  const n = Math.hypot(w, x, y, z) || 1;
  const [qw, qx, qy, qz] = [w / n, x / n, y / n, z / n];
  // Third row of R (R's z row is the camera axis expressed in world coordinates).
  return [2 * (qx * qz - qw * qy), 2 * (qy * qz + qw * qx), 1 - 2 * (qx * qx + qy * qy)];
}
