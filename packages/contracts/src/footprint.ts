import { z } from 'zod';

const position = z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)]);

/** A GeoJSON Polygon in WGS84 (lon, lat), outer ring closed. */
export const PolygonSchema = z.object({
  type: z.literal('Polygon'),
  coordinates: z.array(z.array(position).min(4)).min(1),
});
export type Polygon = z.infer<typeof PolygonSchema>;

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
  /** Height above ground used, metres, and where it came from. */
  heightAboveGroundM: z.number().positive(),
  heightSource: z.enum(['relative-altitude', 'gps-altitude-minus-ground']),
  /** Fraction of this footprint shared with the next image along / across the flight line. */
  forwardOverlap: z.number().min(0).max(1).optional(),
  sideOverlap: z.number().min(0).max(1).optional(),
});
export type FootprintRecord = z.infer<typeof FootprintRecordSchema>;
