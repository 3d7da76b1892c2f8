import { z } from 'zod';
import { PolygonSchema } from './footprint';

/**
 * Which EXIF camera tags a generated survey's photos carry, as cameras other than DJI's leave
 * some out:
 * - `full`: FocalLength, FocalLengthIn35mmFormat and the focal-plane resolution (the sensor size
 *   follows from the tags alone);
 * - `table-only`: FocalLength only, from a real camera (Canon PowerShot SX260 HS, 6.16 mm wide as OpenSfM's sensor table has it),
 *   so the sensor width must come from a make/model table;
 * - `equivalent-only`: FocalLength and FocalLengthIn35mmFormat, from a camera no table lists.
 */
export const SurveyCameraTagsSchema = z.enum(['full', 'table-only', 'equivalent-only']);
export type SurveyCameraTags = z.infer<typeof SurveyCameraTagsSchema>;

/** The camera's rotation from the direction of flight, degrees clockwise. */
export const SurveyMountDegSchema = z.literal([0, 90, 180, 270]);
export type SurveyMountDeg = z.infer<typeof SurveyMountDegSchema>;

/**
 * The truth behind a generated survey, written beside its photos as `ground-truth.json`. Fields
 * added after the first version have defaults, so older files still parse.
 */
export const SurveyGroundTruthSchema = z.object({
  generator: z.string(),
  seed: z.number().int(),
  /** The true camera: what a pipeline should recover, whatever the photos' tags leave out. */
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
  /** Image heading = direction of flight + this. */
  mountDeg: SurveyMountDegSchema.default(0),
  /** Whether the photos carry DJI's XMP (relative altitude, gimbal and flight attitude). */
  xmp: z.boolean().default(true),
  cameraTags: SurveyCameraTagsSchema.default('full'),
  /** How much the recorded GPS altitude rises from the first photo to the last, metres. */
  altitudeDriftM: z.number().default(0),
  photos: z.array(
    z.object({
      name: z.string(),
      latitude: z.number(),
      longitude: z.number(),
      /** Height above the ground, metres (the survey ground is flat). */
      heightAboveGroundM: z.number().positive(),
      /** Azimuth of the image's top edge, degrees clockwise from north. */
      heading: z.number(),
      /** Direction of flight, degrees clockwise from north. */
      travelDeg: z.number().optional(),
      line: z.number().int().min(0),
      /**
       * Camera tilt from nadir about the direction of flight, degrees, as an aircraft banks:
       * positive lowers the right side, so the camera looks left of the track.
       */
      rollDeg: z.number().default(0),
      /** Camera tilt from nadir about the cross-track axis, degrees, positive looking ahead. */
      pitchDeg: z.number().default(0),
      /** The ground under the image's corners (top-left, top-right, bottom-right, bottom-left). */
      footprint: PolygonSchema,
      /** What the photo's EXIF records as GPS altitude, metres above sea level. */
      recordedAltitudeM: z.number().optional(),
      /** Noise added to what the photo's metadata records. */
      recordedError: z.object({ eastM: z.number(), northM: z.number(), yawDeg: z.number() }),
    }),
  ),
  /**
   * The buildings on the ground: flat, north-aligned rectangles at known places, to measure
   * between on a mosaic. Centres in metres east and north of the origin and in degrees.
   */
  buildings: z
    .array(
      z.object({
        east: z.number(),
        north: z.number(),
        longitude: z.number(),
        latitude: z.number(),
        widthM: z.number().positive(),
        heightM: z.number().positive(),
        roof: z.enum(['red', 'grey']),
      }),
    )
    .default([]),
});
export type SurveyGroundTruth = z.infer<typeof SurveyGroundTruthSchema>;
