import { JobIdSchema, type PipelineEvent } from '@aerial/contracts';
import { type ObjectStore } from '@aerial/runtime';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { EventEmitter } from 'node:events';
import geojsonvt from 'geojson-vt';
import * as vtpbf from 'vt-pbf';
import { z } from 'zod';
import type { TileDatabase } from '../db/tile-database';
import type { Publications } from '../products/publications';
import { ErrorBodySchema, notFound } from './errors';

export interface ProductRoutesOptions {
  readonly tiles: TileDatabase;
  /** Where Publish wrote the products (the published store). */
  readonly store: ObjectStore;
  readonly publications: Publications;
  /** Newly stored pipeline events (the MQTT bridge's `live` emitter). */
  readonly live?: EventEmitter;
  /** Tiles kept in memory, bytes. @default 64 MiB */
  readonly tileCacheBytes?: number;
}

/** A least-recently-used map bounded by the total size of its values. */
export class ByteBoundedCache<V> {
  private readonly entries = new Map<string, V>();
  private bytes = 0;

  constructor(
    private readonly limit: number,
    private readonly sizeOf: (value: V) => number,
  ) {}

  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    const old = this.entries.get(key);
    if (old !== undefined) this.bytes -= this.sizeOf(old);
    this.entries.delete(key);
    this.entries.set(key, value);
    this.bytes += this.sizeOf(value);
    for (const [k, v] of this.entries) {
      if (this.bytes <= this.limit) break;
      this.entries.delete(k);
      this.bytes -= this.sizeOf(v);
    }
  }
}

const JobParams = z.object({ jobId: JobIdSchema });
const TileParams = z.object({
  jobId: JobIdSchema,
  z: z.coerce.number().int().min(0).max(30),
  x: z.coerce.number().int().min(0),
  y: z.coerce.number().int().min(0),
});
const DOWNLOADS: Record<string, { product: string; filename: string }> = {
  orthomosaic: { product: 'orthomosaic', filename: 'orthomosaic.tif' },
  preview: { product: 'preview', filename: 'preview.png' },
  footprints: { product: 'footprints', filename: 'footprints.geojson' },
  stac: { product: 'stac', filename: 'collection.json' },
  'catalog-images': { product: 'catalog-images', filename: 'images.parquet' },
  'sparse-model': { product: 'sparse-model', filename: 'sparse.ply' },
  splats: { product: 'splats', filename: 'splats.ply' },
  sog: { product: 'sog', filename: 'splats.sog' },
};

/**
 * What a published job offers: map tiles and their TileJSON, footprints, the QA table, downloads,
 * and the job's events live (server-sent events: one HTTP response per page, no broker credentials
 * in browsers).
 */
export const productRoutes: FastifyPluginAsync<ProductRoutesOptions> = async (plain, options) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const { store, publications, tiles } = options;
  const tileCache = new ByteBoundedCache<{ bytes?: Buffer; etag: string }>(
    options.tileCacheBytes ?? 64 * 1024 * 1024,
    (t) => (t.bytes?.byteLength ?? 0) + 256,
  );

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

  // Footprint vector tiles: cut by geojson-vt from the job's footprints in the tile database and
  // encoded by vt-pbf, one index per published run (the embedded PostGIS has no ST_AsMVT).
  const vectorIndexes = new Map<string, { runId: string; index: ReturnType<typeof geojsonvt> }>();
  app.get(
    '/tiles/:jobId/footprints/:z/:x/:y.pbf',
    {
      config: { rateLimit: false },
      schema: {
        summary: "Vector tile (MVT) of a job's image footprints, layer `footprints`",
        tags: ['products'],
        params: TileParams,
      },
    },
    async (request, reply) => {
      const { jobId, z: zoom, x, y } = request.params;
      const publication = await publications.current(jobId);
      if (!publication) throw notFound(`published footprints for job ${jobId}`);
      let entry = vectorIndexes.get(jobId);
      if (entry?.runId !== publication.runId) {
        const footprints = await tiles.footprints(jobId);
        entry = {
          runId: publication.runId,
          index: geojsonvt(footprints as Parameters<typeof geojsonvt>[0], {
            maxZoom: 24,
            indexMaxZoom: 4,
            tolerance: 1,
          }),
        };
        vectorIndexes.set(jobId, entry);
        if (vectorIndexes.size > 200) vectorIndexes.delete(vectorIndexes.keys().next().value as string);
      }
      const tile = entry.index.getTile(zoom, x, y);
      reply.header('cache-control', 'public, max-age=3600, must-revalidate');
      if (!tile || tile.features.length === 0) return reply.code(204).send();
      const body = Buffer.from(
        vtpbf.fromGeojsonVt({ footprints: tile } as unknown as Parameters<typeof vtpbf.fromGeojsonVt>[0], {
          version: 2,
        }),
      );
      return reply.type('application/vnd.mapbox-vector-tile').send(body);
    },
  );

  app.get(
    '/api/reconstructions',
    {
      schema: {
        summary: 'Published reconstructions whose extent meets a bounding box',
        tags: ['products'],
        querystring: z.object({
          bbox: z
            .string()
            .regex(/^-?[\d.]+,-?[\d.]+,-?[\d.]+,-?[\d.]+$/, 'must be west,south,east,north in degrees')
            .transform((v) => v.split(',').map(Number)),
        }),
        response: {
          200: z.object({
            reconstructions: z.array(
              z.object({
                jobId: z.string(),
                bbox: z.array(z.number()),
                gsdCm: z.number().nullable(),
                products: z.record(z.string(), z.string()),
                publishedAt: z.string().nullable(),
              }),
            ),
          }),
          400: ErrorBodySchema,
        },
      },
    },
    async (request) => ({ reconstructions: await tiles.reconstructionsIn(request.query.bbox) }),
  );

  app.get(
    '/api/jobs/:jobId/footprints',
    {
      schema: {
        summary: "A job's image footprints (GeoJSON)",
        tags: ['products'],
        params: JobParams,
        response: { 200: z.object({ type: z.literal('FeatureCollection'), features: z.array(z.unknown()) }) },
      },
    },
    async (request) => tiles.footprints(request.params.jobId),
  );

  app.get(
    '/api/jobs/:jobId/images',
    {
      schema: {
        summary: "A job's QA table: every file with its verdict and reasons",
        tags: ['products'],
        params: JobParams,
        response: {
          200: z.object({
            images: z.array(
              z.object({
                name: z.string(),
                accepted: z.boolean(),
                reasons: z.array(z.object({ code: z.string(), message: z.string() })),
                warnings: z.array(z.string()),
              }),
            ),
          }),
        },
      },
    },
    async (request) => ({
      images: (await publications.imageRecords(request.params.jobId)).map((r) => ({
        name: r.name,
        accepted: r.qa.accepted,
        reasons: r.qa.reasons,
        warnings: r.qa.warnings,
      })),
    }),
  );

  app.get(
    '/api/jobs/:jobId/products',
    {
      schema: {
        summary: "A job's published products and where to download them",
        tags: ['products'],
        params: JobParams,
        response: {
          200: z.object({
            runId: z.string(),
            publishedAt: z.string(),
            bbox: z.array(z.number()),
            minZoom: z.number().optional(),
            maxZoom: z.number().optional(),
            downloads: z.array(z.object({ product: z.string(), href: z.string() })),
            tilejson: z.string().optional(),
          }),
          404: ErrorBodySchema,
        },
      },
    },
    async (request) => {
      const { jobId } = request.params;
      const p = await publications.current(jobId);
      if (!p) throw notFound(`published products for job ${jobId}`);
      return {
        runId: p.runId,
        publishedAt: p.publishedAt,
        bbox: p.bbox,
        ...(p.minZoom !== undefined ? { minZoom: p.minZoom, maxZoom: p.maxZoom } : {}),
        downloads: Object.keys(DOWNLOADS)
          .filter((name) => p.products[DOWNLOADS[name]!.product])
          .map((name) => ({ product: name, href: `/api/jobs/${jobId}/download/${name}` })),
        ...(p.products.tilejson ? { tilejson: `/tiles/${jobId}/tilejson.json` } : {}),
      };
    },
  );

  app.get(
    '/api/jobs/:jobId/download/:product',
    {
      schema: {
        summary: 'Download one published product',
        tags: ['products'],
        params: JobParams.extend({ product: z.enum(Object.keys(DOWNLOADS) as [string, ...string[]]) }),
      },
    },
    async (request, reply) => {
      const { jobId, product } = request.params;
      const p = await publications.current(jobId);
      const download = DOWNLOADS[product]!;
      const path = p?.products[download.product];
      if (!p || !path) throw notFound(`${product} for job ${jobId}`);
      const key = `${p.prefix}/${path}`;
      const head = await store.head(key);
      if (!head) throw notFound(`${product} for job ${jobId}`);
      reply
        .header('content-disposition', `attachment; filename="${jobId}-${download.filename}"`)
        .header('content-length', String(head.bytes))
        .type(head.contentType ?? 'application/octet-stream');
      return reply.send(await store.getStream(key));
    },
  );

  app.get(
    '/api/jobs/:jobId/events',
    {
      schema: {
        summary: "A job's events, stored ones first, then live (text/event-stream)",
        tags: ['jobs'],
        params: JobParams,
      },
    },
    async (request, reply) => {
      const { jobId } = request.params;
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-content-type-options': 'nosniff',
      });
      const send = (event: PipelineEvent) => res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      const listener = (event: PipelineEvent) => {
        if (event.jobId === jobId) send(event);
      };
      options.live?.on('event', listener);
      for (const event of await tiles.events(jobId)) send(event);
      const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
      request.raw.once('close', () => {
        clearInterval(keepAlive);
        options.live?.off('event', listener);
      });
    },
  );
};
