import { z } from 'zod';
import { PolygonSchema } from './footprint';

/** The truth behind a generated survey, written beside its photos as `ground-truth.json`. */
export const SurveyGroundTruthSchema = z.object({
  generator: z.string(),
  seed: z.number().int(),
  camera: z.object({
    make: z.string(),
    model: z.string(),
    widthPx: z.number().int().positive(),
    heightPx: z.number().int().positive(),
    focalLengthMm: z.number().positive(),
    focalLength35mm: z.number().positive(),
    sensorWidthMm: z.number().positive(),
    sensorHeightMm: z.number().positive(),
  }),
  origin: z.object({ latitude: z.number(), longitude: z.number(), groundAltitudeM: z.number() }),
  altitudeM: z.number().positive(),
  gsdCm: z.number().positive(),
  forwardOverlap: z.number().min(0).max(1),
  sideOverlap: z.number().min(0).max(1),
  photos: z.array(
    z.object({
      name: z.string(),
      latitude: z.number(),
      longitude: z.number(),
      /** Height above the ground, metres (the survey ground is flat). */
      heightAboveGroundM: z.number().positive(),
      /** Azimuth of the image's top edge, degrees clockwise from north. */
      heading: z.number(),
      line: z.number().int().min(0),
      footprint: PolygonSchema,
      /** Noise added to what the photo's metadata records. */
      recordedError: z.object({ eastM: z.number(), northM: z.number(), yawDeg: z.number() }),
    }),
  ),
});
export type SurveyGroundTruth = z.infer<typeof SurveyGroundTruthSchema>;
