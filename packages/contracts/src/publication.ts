import { z } from 'zod';
import { PolygonSchema } from './footprint';
import { JobIdSchema } from './stages';

/**
 * `published/<jobId>/current.json`: the pointer to a job's published run. Written last, so a
 * reader that follows it never sees a half-published job; the Hub records it in the tile database.
 */
export const PublicationSchema = z.object({
  jobId: JobIdSchema,
  runId: z.string().regex(/^run-[0-9a-f]{12}$/),
  publishedAt: z.iso.datetime({ offset: true }),
  /** Object-store prefix of the run; product paths are relative to it. */
  prefix: z.string().min(1),
  /** Product name → path under `prefix`. */
  products: z.record(z.string(), z.string().min(1)),
  bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  footprint: PolygonSchema,
  gsdCm: z.number().positive().optional(),
  minZoom: z.number().int().min(0).max(30).optional(),
  maxZoom: z.number().int().min(0).max(30).optional(),
  objects: z.number().int().min(0),
  bytes: z.number().int().min(0),
});
export type Publication = z.infer<typeof PublicationSchema>;
