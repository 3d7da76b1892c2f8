import { type GpsPosition } from '@aerial/contracts';

/** What exifr makes of an EXIF GPS block: decimal degrees (signed by the refs) and raw tags. */
export interface ExifGps {
  readonly latitude?: unknown;
  readonly longitude?: unknown;
  readonly GPSAltitude?: unknown;
}

/**
 * The position a photo's EXIF records, or why it has none that can be used. A receiver without a
 * fix writes 0°, 0° (in the Gulf of Guinea, where no survey flies); a broken writer can record
 * degrees outside the globe. Either would place the photo — or, when every photo has it, the
 * whole map — somewhere false, so both count as no position, with the reason.
 */
export function gpsPosition(gps: ExifGps | undefined): { position: GpsPosition } | { problem: string } {
  const { latitude, longitude } = gps ?? {};
  if (latitude === undefined && longitude === undefined) return { problem: 'the file has no GPS position in its EXIF' };
  if (
    typeof latitude !== 'number' ||
    !Number.isFinite(latitude) ||
    typeof longitude !== 'number' ||
    !Number.isFinite(longitude)
  )
    return { problem: 'the GPS position in its EXIF is not a number (a damaged GPS block)' };
  if (Math.abs(latitude) > 90) return { problem: `the GPS latitude ${round(latitude)}° is out of range (−90° to 90°)` };
  if (Math.abs(longitude) > 180)
    return { problem: `the GPS longitude ${round(longitude)}° is out of range (−180° to 180°)` };
  if (latitude === 0 && longitude === 0)
    return { problem: 'the GPS position is 0°, 0°, which a receiver records when it has no fix' };
  const raw = typeof gps?.GPSAltitude === 'string' ? Number(gps.GPSAltitude) : gps?.GPSAltitude;
  const altitude = typeof raw === 'number' && Number.isFinite(raw) ? raw : undefined;
  return { position: { latitude, longitude, altitude } };
}

function round(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}
