import { z } from 'zod';

const position = z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)]);

/** A GeoJSON Polygon in WGS84 (lon, lat), outer ring closed. */
export const PolygonSchema = z.object({
  type: z.literal('Polygon'),
  coordinates: z.array(z.array(position).min(4)).min(1),
});
export type Polygon = z.infer<typeof PolygonSchema>;

/**
 * Where a footprint's height above ground came from: DJI's relative altitude; GPS altitude minus
 * the ground altitude other photos give; the flight height the user passed; the photo's measured
 * ground scale (matched points against GPS baselines) times its focal length in pixels; or nowhere
 * (`unknown`). The SfM stage measures heights of its own, from its sparse points (`cameras.json`).
 */
export const HEIGHT_SOURCES = [
  'relative-altitude',
  'gps-altitude-minus-ground',
  'flight-height-option',
  'photo-scale',
  'unknown',
] as const;
export const HeightSourceSchema = z.enum(HEIGHT_SOURCES);
export type HeightSource = z.infer<typeof HeightSourceSchema>;

/** Where a footprint's heading came from: recorded yaw, registration against GPS, or the GPS track. */
export const HeadingSourceSchema = z.enum(['recorded-yaw', 'registration', 'gps-track']);
export type HeadingSource = z.infer<typeof HeadingSourceSchema>;

/** The ground an image covers and how densely, as the Footprints stage computed it. */
export const FootprintRecordSchema = z.object({
  image: z.string().min(1),
  footprint: PolygonSchema,
  center: position,
  /** Ground sample distance at nadir, centimetres per pixel. */
  gsdCm: z.number().positive(),
  /** Ground size of the footprint, metres (across the image width, along its height). */
  widthM: z.number().positive(),
  heightM: z.number().positive(),
  /**
   * Height above ground, metres, and where it came from. Absent only when nothing gives it: no
   * relative altitude, no flight height option, and a camera whose focal length in pixels is
   * unknown (the footprint is still measured: its size comes from the photos' scale).
   */
  heightAboveGroundM: z.number().positive().optional(),
  heightSource: HeightSourceSchema,
  /** Azimuth of the image's top edge, degrees clockwise from north, and where it came from. */
  headingDeg: z.number().min(0).max(360).optional(),
  headingSource: HeadingSourceSchema.optional(),
  /** Whether the footprint was measured from matched points with overlapping photos. */
  registered: z.boolean().optional(),
  /** Camera tilt from nadir, degrees, measured from the photos' perspective where it could be. */
  tiltDeg: z.number().min(0).max(90).optional(),
  /** Fraction of this footprint shared with the next image along / across the flight line. */
  forwardOverlap: z.number().min(0).max(1).optional(),
  sideOverlap: z.number().min(0).max(1).optional(),
});
export type FootprintRecord = z.infer<typeof FootprintRecordSchema>;

/** A photo Ingest accepted that the Footprints stage left out, and why (`summary.skipped`). */
export const FootprintSkipSchema = z.object({
  image: z.string().min(1),
  code: z.enum(['tilted', 'not-placed']),
  reason: z.string().min(1),
});
export type FootprintSkip = z.infer<typeof FootprintSkipSchema>;
