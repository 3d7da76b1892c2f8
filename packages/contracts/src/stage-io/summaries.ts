import { z } from 'zod';
import { HeightSourceSchema, FootprintSkipSchema } from '../footprint';
import { QaReasonCodeSchema } from '../image-record';

/*
 * Each stage's manifest summary: small figures its readers (the next stages, the CLI, Notify, the
 * Hub) rely on. Objects are not strict: a stage may report more than its readers use.
 */

const bbox = z.tuple([z.number(), z.number(), z.number(), z.number()]);
const spread = z.object({ median: z.number(), min: z.number(), max: z.number() });

export const GuardBudgetSummarySchema = z.object({
  usd: z.number().min(0),
  images: z.number().int().min(0),
  megapixels: z.number().min(0),
  monthToDateUsd: z.number().min(0),
});

export const IngestSummarySchema = z.object({
  files: z.number().int().min(0),
  accepted: z.number().int().min(0),
  rejected: z.number().int().min(0),
  reasons: z.partialRecord(QaReasonCodeSchema, z.number().int()),
});

/** The Footprints stage's manifest summary: what its readers (CLI, Hub, reports) may rely on. */
export const FootprintsSummarySchema = z.object({
  images: z.number().int().min(0),
  registered: z.number().int().min(0),
  /** `metadata`: complete DJI-style metadata placed the photos and matches refined them; `photos`: matched points and GPS placed them. */
  placedFrom: z.enum(['metadata', 'photos']),
  pairs: z.number().int().min(0),
  candidatePairs: z.number().int().min(0),
  rmsResidualPx: z.number().min(0),
  /** The camera's heading relative to the direction of travel, degrees, where registration showed it. */
  cameraMountDeg: z.number().optional(),
  skipped: z.array(FootprintSkipSchema),
  gsdCm: spread,
  heightAboveGroundM: spread.nullable(),
  heightSources: z.partialRecord(HeightSourceSchema, z.number().int()),
  forwardOverlap: spread.nullable(),
  sideOverlap: spread.nullable(),
  bbox: z.array(z.number()).length(4),
});
export type FootprintsSummary = z.infer<typeof FootprintsSummarySchema>;

/** The Orthomosaic's summary: the COG's georeference and pyramid (Tiles, Metadata) and its report (CLI). */
export const OrthomosaicSummarySchema = z.object({
  images: z.number().int().min(0),
  registered: z.number().int().min(0),
  placedFrom: z.enum(['sfm', 'registration']),
  /** Why the SfM cameras were not used, when SfM ran. */
  sfmIgnored: z.string().optional(),
  pairs: z.number().int().min(0),
  candidatePairs: z.number().int().min(0),
  rmsResidualPx: z.number().min(0),
  yawFlagged: z.array(z.string()),
  crs: z.string().min(1),
  epsg: z.number().int().positive(),
  /** Projected coordinates of the mosaic's top-left corner, metres. */
  origin: z.tuple([z.number(), z.number()]),
  pixelSizeM: z.number().positive(),
  /** The XYZ zoom nearest the mosaic's resolution: the finest zoom of its web tiles. */
  zoom: z.number().int().min(0).max(30),
  gsdCm: z.number().positive(),
  widthPx: z.number().int().positive(),
  heightPx: z.number().int().positive(),
  overviews: z.number().int().min(0),
  bytes: z.number().int().min(0),
  bbox,
  decodes: z.number().int().min(0),
  seconds: z.object({ register: z.number(), render: z.number(), write: z.number() }),
});

export const TilesSummarySchema = z.object({
  tiles: z.number().int().min(0),
  perZoom: z.record(z.string(), z.number().int().min(0)),
  minZoom: z.number().int().min(0).max(30),
  maxZoom: z.number().int().min(0).max(30),
  format: z.literal('webp'),
  bytes: z.number().int().min(0),
  warpedZooms: z.array(z.number().int()),
});

export const SfmSummarySchema = z.object({
  colmap: z.string(),
  registered: z.number().int().min(0),
  images: z.number().int().min(0),
  points: z.number().int().min(0),
  /** Null when COLMAP's analyzer printed none. */
  meanReprojectionErrorPx: z.number().nullable(),
  gpsAlignmentErrorM: z.object({ mean: z.number(), median: z.number() }).nullable(),
  maxImageSize: z.number().int().positive(),
});

export const SplatSummarySchema = z.object({
  splats: z.number().int().min(0),
  trained: z.boolean(),
  trainer: z.string().nullable(),
  shDegree: z.number().int().min(0),
  note: z.string(),
});

export const CompressSummarySchema = z.object({
  plyBytes: z.number().int().min(0),
  sogBytes: z.number().int().min(0),
  ratio: z.number(),
  seconds: z.number().min(0),
  shDegree: z.number().int().min(0),
  roundTrip: z.object({ maxErrorM: z.number(), extentM: z.number(), tolerance: z.number() }),
});

export const MetadataSummarySchema = z.object({
  items: z.array(z.string()),
  imageRows: z.number().int().min(0),
  productRows: z.number().int().min(0),
  captured: z.tuple([z.string(), z.string()]).nullable(),
  sunElevationDeg: z.tuple([z.number(), z.number()]).nullable(),
  weather: z.string(),
});

export const PublishSummarySchema = z.object({
  runId: z.string(),
  prefix: z.string(),
  location: z.string(),
  objects: z.number().int().min(0),
  bytes: z.number().int().min(0),
  removedObjects: z.number().int().min(0),
  announced: z.string(),
});

export const NotifySummarySchema = z.object({
  outcome: z.enum(['succeeded', 'failed']),
  name: z.string().optional(),
  reason: z.string().optional(),
  stage: z.string().optional(),
  deliveries: z.array(z.string()),
  undelivered: z.array(z.string()),
});
