import type { ObjectStore } from '@aerial/runtime';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Publications } from '../../products/publications';
import { ErrorBodySchema, notFound } from '../errors';
import { JobParams } from './params';

export interface DownloadRoutesOptions {
  /** Where Publish wrote the products (the published store). */
  readonly store: ObjectStore;
  readonly publications: Publications;
}

/** What can be downloaded: the name in the URL, the publication's product, the file name offered. */
export const DOWNLOADS: Record<string, { product: string; filename: string }> = {
  orthomosaic: { product: 'orthomosaic', filename: 'orthomosaic.tif' },
  preview: { product: 'preview', filename: 'preview.png' },
  footprints: { product: 'footprints', filename: 'footprints.geojson' },
  stac: { product: 'stac', filename: 'collection.json' },
  'catalog-images': { product: 'catalog-images', filename: 'images.parquet' },
  'sparse-model': { product: 'sparse-model', filename: 'sparse.ply' },
  splats: { product: 'splats', filename: 'splats.ply' },
  sog: { product: 'sog', filename: 'splats.sog' },
};

/** A published job's products listing (downloads and tiles) and each download, streamed from the store. */
export const downloadRoutes: FastifyPluginAsync<DownloadRoutesOptions> = async (plain, options) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const { store, publications } = options;

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
};
