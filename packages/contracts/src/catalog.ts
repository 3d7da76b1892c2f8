import { z } from 'zod';
import { PolygonSchema } from './footprint';
import { QaReasonSchema } from './image-record';
import { JobIdSchema } from './stages';

/** A dataset as uploaded: one set of photos a job (or several) can process. */
export const DatasetRecordSchema = z.object({
  datasetId: z.string().regex(/^[a-z0-9][a-z0-9-]{2,62}$/),
  label: z.string().max(200).optional(),
  /** Object-store prefix that holds the uploaded files. */
  prefix: z.string().min(1),
  files: z.number().int().min(0),
  bytes: z.number().int().min(0),
  createdAt: z.iso.datetime({ offset: true }),
});
export type DatasetRecord = z.infer<typeof DatasetRecordSchema>;

/** One image in the catalog (GeoParquet and the tile database): where it is and how it fared. */
export const CatalogImageRowSchema = z.object({
  jobId: JobIdSchema,
  image: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  accepted: z.boolean(),
  reasons: z.array(QaReasonSchema),
  /** Local capture time as recorded (no zone). */
  capturedAt: z.string().optional(),
  longitude: z.number().min(-180).max(180).optional(),
  latitude: z.number().min(-90).max(90).optional(),
  gsdCm: z.number().positive().optional(),
  footprint: PolygonSchema.optional(),
});
export type CatalogImageRow = z.infer<typeof CatalogImageRowSchema>;

/** One product of a job in the catalog: what it is, where it is published, what it covers. */
export const CatalogProductRowSchema = z.object({
  jobId: JobIdSchema,
  product: z.enum([
    'orthomosaic',
    'tiles',
    'footprints',
    'stac',
    'catalog',
    'sparse-model',
    'splats',
    'sog',
    'preview',
  ]),
  key: z.string().min(1),
  mediaType: z.string().min(1),
  bytes: z.number().int().min(0),
  bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]).optional(),
  gsdCm: z.number().positive().optional(),
  createdAt: z.iso.datetime({ offset: true }),
});
export type CatalogProductRow = z.infer<typeof CatalogProductRowSchema>;
