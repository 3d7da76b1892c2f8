import { z } from 'zod';

/** Why an image was rejected (or flagged) by ingest QA; codes are stable for filtering and docs. */
export const QA_REASON_CODES = [
  'empty-file',
  'not-an-image',
  'corrupt',
  'truncated',
  'too-large',
  // Decodes, but too few pixels to match or map (a thumbnail, a 1×1 tracking pixel).
  'too-small',
  'no-exif',
  'no-gps',
  'black',
  'overexposed',
  'blurry',
  'not-nadir',
  'duplicate',
  'outlier-position',
  'unsafe-name',
  'symlink',
  // Found by the Footprints stage: a frame banked beyond what the mosaic takes, or one nothing placed.
  'tilted',
  'not-placed',
] as const;
export const QaReasonCodeSchema = z.enum(QA_REASON_CODES);
export type QaReasonCode = z.infer<typeof QaReasonCodeSchema>;

export const QaReasonSchema = z.object({
  code: QaReasonCodeSchema,
  message: z.string().min(1),
});
export type QaReason = z.infer<typeof QaReasonSchema>;

export const QaVerdictSchema = z.object({
  accepted: z.boolean(),
  /** Reasons for rejection; empty when accepted. */
  reasons: z.array(QaReasonSchema),
  /** Things worth knowing that did not reject the image (e.g. no gimbal pitch recorded). */
  warnings: z.array(z.string()).default([]),
  metrics: z
    .object({
      meanLuminance: z.number().min(0).max(255).optional(),
      saturatedFraction: z.number().min(0).max(1).optional(),
      laplacianVariance: z.number().min(0).optional(),
    })
    .default({}),
});
export type QaVerdict = z.infer<typeof QaVerdictSchema>;

const angle = z.number().min(-360).max(360);

export const GpsPositionSchema = z.object({
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
  /** Altitude above the ellipsoid or sea level as the camera recorded it, metres. */
  altitude: z.number().optional(),
});
export type GpsPosition = z.infer<typeof GpsPositionSchema>;

export const OrientationSchema = z.object({ yaw: angle, pitch: angle, roll: angle });
export type Orientation = z.infer<typeof OrientationSchema>;

/** One photo as ingest found it: where it is, what camera took it, where from, and the QA verdict. */
export const ImageRecordSchema = z.object({
  /** Name within the dataset (path inside the folder or archive, `/`-separated). */
  name: z.string().min(1),
  /** Object-store key of the stored original; only accepted images are stored. */
  key: z.string().min(1).optional(),
  bytes: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  format: z.enum(['jpeg', 'tiff']).optional(),
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
  camera: z
    .object({
      make: z.string().optional(),
      model: z.string().optional(),
      focalLengthMm: z.number().positive().optional(),
      focalLength35mm: z.number().positive().optional(),
      sensorWidthMm: z.number().positive().optional(),
      sensorHeightMm: z.number().positive().optional(),
    })
    .default({}),
  gps: GpsPositionSchema.optional(),
  /** Height above the take-off point (DJI XMP RelativeAltitude), metres. */
  relativeAltitude: z.number().optional(),
  gimbal: OrientationSchema.partial().optional(),
  flight: OrientationSchema.partial().optional(),
  /** DateTimeOriginal as recorded: local time with no zone (DJI writes none). */
  captureTime: z.string().optional(),
  software: z.string().optional(),
  qa: QaVerdictSchema,
});
export type ImageRecord = z.infer<typeof ImageRecordSchema>;
