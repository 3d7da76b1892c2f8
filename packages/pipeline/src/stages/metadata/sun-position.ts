import * as SunCalc from 'suncalc';

/** Where the sun stood: degrees above the horizon and clockwise from north. */
export interface SunPosition {
  readonly elevationDeg: number;
  readonly azimuthDeg: number;
  /** The UTC offset assumed for the camera's zone-less clock. */
  readonly utcOffsetHours: number;
}

/**
 * A zone-less local capture time as a UTC instant. Drone clocks record local time without a zone
 * (DJI writes none and no GPS time), so the zone is taken as the nautical one of the longitude
 * (15° per hour); daylight saving can make that an hour off, which moves the sun by about 15° of
 * azimuth. The assumed offset is returned with the instant so that it can be recorded.
 */
function localToUtc(localTime: string, longitude: number): { utc: Date; utcOffsetHours: number } | undefined {
  const m = /^(\d{4})[:-](\d{2})[:-](\d{2})[T ](\d{2}):(\d{2}):(\d{2})/.exec(localTime);
  if (!m) return undefined;
  const utcOffsetHours = Math.round(longitude / 15);
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  // Date.UTC rolls month 13 over into next year: refuse what no clock shows instead.
  if (mo! < 1 || mo! > 12 || d! < 1 || d! > 31 || h! > 23 || mi! > 59 || s! > 60) return undefined;
  const utc = new Date(Date.UTC(y!, mo! - 1, d!, h! - utcOffsetHours, mi!, s!));
  return Number.isNaN(utc.getTime()) ? undefined : { utc, utcOffsetHours };
}

/** The sun at capture, under {@link localToUtc}'s zone assumption. */
export function sunAtCapture(localTime: string, longitude: number, latitude: number): SunPosition | undefined {
  const at = localToUtc(localTime, longitude);
  if (!at) return undefined;
  const position = SunCalc.getPosition(at.utc, latitude, longitude);
  // suncalc 2 answers in degrees, azimuth clockwise from north, altitude corrected for refraction.
  return {
    elevationDeg: position.altitude,
    azimuthDeg: (position.azimuth + 360) % 360,
    utcOffsetHours: at.utcOffsetHours,
  };
}

/** The capture time as an ISO instant under the same zone assumption. */
export function captureInstant(localTime: string, longitude: number): string | undefined {
  return localToUtc(localTime, longitude)?.utc.toISOString();
}
