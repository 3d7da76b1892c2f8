import { downloadableProducts } from '@aerial/contracts';
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

/** What can be downloaded, by name (the URL's and the publication's): the contracts' product table. */
export const DOWNLOADS: ReadonlyMap<string, { readonly filename: string }> = new Map(
  downloadableProducts().map((d) => [d.name, d]),
);
const DOWNLOAD_NAMES = [...DOWNLOADS.keys()] as [string, ...string[]];

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
        downloads: DOWNLOAD_NAMES.filter((name) => p.products[name]).map((name) => ({
          product: name,
          href: `/api/jobs/${jobId}/download/${name}`,
        })),
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
        params: JobParams.extend({ product: z.enum(DOWNLOAD_NAMES) }),
      },
    },
    async (request, reply) => {
      const { jobId, product } = request.params;
      const p = await publications.current(jobId);
      const download = DOWNLOADS.get(product)!;
      const path = p?.products[product];
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
