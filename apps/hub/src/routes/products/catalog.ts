import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ImagesRepository } from '../../db/images-repository';
import type { ReconstructionsRepository } from '../../db/reconstructions-repository';
import type { Publications } from '../../products/publications';
import { ErrorBodySchema } from '../errors';
import { JobParams } from './params';

export interface CatalogRoutesOptions {
  readonly images: ImagesRepository;
  readonly reconstructions: ReconstructionsRepository;
  /** Reads the QA verdicts Ingest wrote. */
  readonly publications: Publications;
}

/** The catalog of published jobs: reconstructions by area, a job's footprints and its QA table. */
export const catalogRoutes: FastifyPluginAsync<CatalogRoutesOptions> = async (plain, options) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const { images, reconstructions, publications } = options;

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
    async (request) => ({ reconstructions: await reconstructions.reconstructionsIn(request.query.bbox) }),
  );

  app.get(
    '/api/jobs/:jobId/footprints',
    {
      schema: {
        summary: "A job's image footprints (GeoJSON): published, or as its Footprints stage wrote them",
        tags: ['products'],
        params: JobParams,
        response: { 200: z.object({ type: z.literal('FeatureCollection'), features: z.array(z.unknown()) }) },
      },
    },
    async (request) => {
      const published = await images.footprints(request.params.jobId);
      // Unpublished (a survey, a 3D job, a job still running): what its Footprints stage wrote.
      return published.features.length > 0 ? published : publications.stageFootprints(request.params.jobId);
    },
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
};
