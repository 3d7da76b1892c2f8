import { z } from 'zod';
import { HeightSourceSchema } from './footprint';
import { QaReasonSchema } from './image-record';
import { StageNameSchema } from './stages';

/*
 * The quality report of a job: the figures people judge a survey by (coverage, overlap, GSD,
 * registration residuals, rejected photos, camera and flight facts), composed from the stage
 * summaries and outputs of whichever stages the job's preset ran. Metadata publishes it with the
 * products; the Hub composes it from the stage outputs for a job without a published one and adds
 * the timing per stage from the job's events. It holds no clock time of its own: a rerun that makes
 * the same products composes the same report (and Publish the same run).
 */

const spread = z.object({ median: z.number(), min: z.number(), max: z.number() });
const lonLat = z.tuple([z.number(), z.number()]);

/** A small JPEG preview of a rejected photo, for the report's table. */
export const PhotoThumbnailSchema = z.object({
  image: z.string().min(1),
  /** `data:image/jpeg;base64,…` */
  dataUrl: z.string().startsWith('data:image/jpeg;base64,'),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
});
export type PhotoThumbnail = z.infer<typeof PhotoThumbnailSchema>;

/** How many footprints cover each cell of a grid over the job's area (the overlap map). */
export const CoverageGridSchema = z.object({
  /** west, south, east, north of the grid, degrees. */
  bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  columns: z.number().int().positive(),
  rows: z.number().int().positive(),
  /** Ground size of a cell, metres (square). */
  cellM: z.number().positive(),
  /** Footprints covering each cell's centre, row by row from the north-west corner. */
  counts: z.array(z.number().int().min(0)),
  /** Ground covered by at least one, two and three photos, square metres. */
  coveredM2: z.object({ one: z.number().min(0), two: z.number().min(0), three: z.number().min(0) }),
});
export type CoverageGrid = z.infer<typeof CoverageGridSchema>;

export const QualityReportSchema = z.object({
  version: z.literal(1),
  jobId: z.string().min(1),
  /** The stages whose summaries and outputs it was composed from. */
  stages: z.array(StageNameSchema),
  photos: z.object({
    files: z.number().int().min(0),
    accepted: z.number().int().min(0),
    rejected: z.number().int().min(0),
  }),
  camera: z
    .object({
      make: z.string().optional(),
      model: z.string().optional(),
      widthPx: z.number().int().positive().optional(),
      heightPx: z.number().int().positive().optional(),
      focalLengthMm: z.number().positive().optional(),
      focalLength35mm: z.number().positive().optional(),
      /** Photos taken with another camera or image size than the first accepted one. */
      otherCameras: z.number().int().min(0),
    })
    .nullable(),
  flight: z.object({
    /** First and last DateTimeOriginal (local time, no zone). */
    captured: z.tuple([z.string(), z.string()]).nullable(),
    heightAboveGroundM: spread.nullable(),
    heightSources: z.partialRecord(HeightSourceSchema, z.number().int()),
    forwardOverlap: spread.nullable(),
    sideOverlap: spread.nullable(),
    bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]).nullable(),
  }),
  gsd: z
    .object({
      cm: spread,
      /** The mosaic's pixel size, when the Orthomosaic ran. */
      mosaicCm: z.number().positive().nullable(),
      perPhoto: z.array(z.object({ image: z.string(), gsdCm: z.number().positive() })),
    })
    .nullable(),
  registration: z
    .object({
      placedFrom: z.enum(['metadata', 'photos']),
      pairs: z.number().int().min(0),
      candidatePairs: z.number().int().min(0),
      /** The Footprints stage's adjustment residual, placement-frame pixels (≈ ground pixels). */
      rmsResidualPx: z.number().min(0),
      /** Each placed photo's residual over its matched points with its neighbours (null: no matches). */
      perPhoto: z.array(
        z.object({
          image: z.string(),
          registered: z.boolean(),
          pairs: z.number().int().min(0),
          residualPx: z.number().min(0).nullable(),
          yawDisagreementDeg: z.number().optional(),
        }),
      ),
      mosaic: z
        .object({
          placedFrom: z.enum(['sfm', 'registration']),
          rmsResidualPx: z.number().min(0),
          yawFlagged: z.array(z.string()),
        })
        .nullable(),
      sfm: z
        .object({
          registered: z.number().int().min(0),
          images: z.number().int().min(0),
          points: z.number().int().min(0),
          meanReprojectionErrorPx: z.number().nullable(),
          gpsAlignmentErrorM: z.object({ mean: z.number(), median: z.number() }).nullable(),
          /** COLMAP's mean reprojection error of each photo (null: not registered). */
          perPhoto: z.array(
            z.object({ image: z.string(), registered: z.boolean(), reprojectionErrorPx: z.number().min(0).nullable() }),
          ),
        })
        .nullable(),
    })
    .nullable(),
  coverage: z
    .object({
      footprints: z.array(z.object({ image: z.string(), ring: z.array(lonLat) })),
      grid: CoverageGridSchema,
    })
    .nullable(),
  /** Every photo missing from the products, with why and (when it decodes) a thumbnail. */
  rejected: z.array(
    z.object({
      image: z.string(),
      stage: z.enum(['Ingest', 'Footprints']),
      reasons: z.array(QaReasonSchema),
      thumbnail: PhotoThumbnailSchema.omit({ image: true }).nullable(),
    }),
  ),
  products: z.object({
    orthomosaic: z
      .object({ widthPx: z.number().int(), heightPx: z.number().int(), gsdCm: z.number(), bytes: z.number().int() })
      .nullable(),
    tiles: z.object({ tiles: z.number().int(), minZoom: z.number().int(), maxZoom: z.number().int() }).nullable(),
    splats: z
      .object({ splats: z.number().int(), trained: z.boolean(), sogBytes: z.number().int().nullable() })
      .nullable(),
  }),
});
export type QualityReport = z.infer<typeof QualityReportSchema>;

/** How long each stage of a job took, from its events (the Hub adds it to the report). */
export const StageTimingSchema = z.object({
  stage: StageNameSchema,
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  seconds: z.number().min(0).nullable(),
  attempts: z.number().int().min(1),
  outcome: z.enum(['succeeded', 'failed', 'running']),
});
export type StageTiming = z.infer<typeof StageTimingSchema>;

/** The report as the Hub serves it: the composed report, where it came from, and the timing. */
export const QualityReportViewSchema = QualityReportSchema.extend({
  source: z.enum(['published', 'stage-outputs']),
  timing: z.array(StageTimingSchema),
});
export type QualityReportView = z.infer<typeof QualityReportViewSchema>;
