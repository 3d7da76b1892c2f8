import { JobIdSchema } from '@aerial/contracts';
import { z } from 'zod';

/** `:jobId` of a product route. */
export const JobParams = z.object({ jobId: JobIdSchema });

/** `:jobId/:z/:x/:y` of an XYZ tile route. */
export const TileParams = z.object({
  jobId: JobIdSchema,
  z: z.coerce.number().int().min(0).max(30),
  x: z.coerce.number().int().min(0),
  y: z.coerce.number().int().min(0),
});
