import type { ObjectStore } from '@aerial/runtime';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Publications } from '../../products/publications';
import { ErrorBodySchema, notFound } from '../errors';
import { LRUCache } from 'lru-cache';
import { JobParams, TileParams } from './params';

export interface RasterTileRoutesOptions {
  /** Where Publish wrote the products (the published store). */
  readonly store: ObjectStore;
  readonly publications: Publications;
  /** Tiles kept in memory, bytes. @default 64 MiB */
  readonly tileCacheBytes?: number;
}

/** A job's orthomosaic as XYZ WebP tiles, and their TileJSON pointing back at this Hub. */
export const rasterTileRoutes: FastifyPluginAsync<RasterTileRoutesOptions> = async (plain, options) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const { store, publications } = options;
  // Bounded by bytes: a tile is 1–60 KiB, an absent one (204) only its entry.
  const tileCache = new LRUCache<string, { bytes?: Buffer; etag: string }>({
    maxSize: options.tileCacheBytes ?? 64 * 1024 * 1024,
    sizeCalculation: (t) => (t.bytes?.byteLength ?? 0) + 256,
  });

  app.get(
    '/tiles/:jobId/tilejson.json',
    {
      schema: {
        summary: "TileJSON of a job's orthomosaic tiles",
        tags: ['products'],
        params: JobParams,
        response: { 200: z.record(z.string(), z.unknown()), 404: ErrorBodySchema },
      },
    },
    async (request, reply) => {
      const publication = await publications.current(request.params.jobId);
      const path = publication?.products.tilejson;
      if (!publication || !path) throw notFound(`published tiles for job ${request.params.jobId}`);
      const doc = JSON.parse((await store.get(`${publication.prefix}/${path}`)).toString('utf8')) as Record<
        string,
        unknown
      >;
      const origin = `${request.protocol}://${request.host}`;
      reply.header('cache-control', 'no-cache');
      return { ...doc, tiles: [`${origin}/tiles/${request.params.jobId}/{z}/{x}/{y}.webp`] };
    },
  );

  app.get(
    '/tiles/:jobId/:z/:x/:y.webp',
    {
      // A map view asks for dozens of cached tiles at once; the per-client limit is for the API.
      config: { rateLimit: false },
      schema: { summary: 'One orthomosaic map tile (WebP, 256 px, XYZ)', tags: ['products'], params: TileParams },
    },
    async (request, reply) => {
      const { jobId, z: zoom, x, y } = request.params;
      const publication = await publications.current(jobId);
      if (!publication) throw notFound(`published tiles for job ${jobId}`);
      const key = `${publication.prefix}/tiles/${zoom}/${x}/${y}.webp`;
      // A run's objects never change (its id hashes them): tiles are cached by key, absent ones too.
      let tile = tileCache.get(key);
      if (!tile) {
        const head = await store.head(key);
        tile = head ? { bytes: await store.get(key), etag: `"${publication.runId}-${head.etag}"` } : { etag: '' };
        tileCache.set(key, tile);
      }
      if (!tile.bytes) return reply.code(204).header('cache-control', 'public, max-age=3600').send();
      reply.header('etag', tile.etag).header('cache-control', 'public, max-age=3600, must-revalidate');
      if (request.headers['if-none-match'] === tile.etag) return reply.code(304).send();
      return reply.type('image/webp').send(tile.bytes);
    },
  );
};
