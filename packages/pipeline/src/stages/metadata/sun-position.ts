import * as SunCalc from 'suncalc';

/** Where the sun stood: degrees above the horizon and clockwise from north. */
export interface SunPosition {
  readonly elevationDeg: number;
  readonly azimuthDeg: number;
  /** The UTC offset assumed for the camera's zone-less clock. */
  readonly utcOffsetHours: number;
}

/**
 * The sun at capture. Drone clocks record local time without a zone (DJI writes none and no GPS
 * time), so the zone is taken as the nautical one of the longitude (15° per hour); daylight saving
 * can make that an hour off, which moves the sun by about 15° of azimuth. The assumption is
 * recorded with the result.
 */
export function sunAtCapture(localTime: string, longitude: number, latitude: number): SunPosition | undefined {
  const m = /^(\d{4})[:-](\d{2})[:-](\d{2})[T ](\d{2}):(\d{2}):(\d{2})/.exec(localTime);
  if (!m) return undefined;
  const utcOffsetHours = Math.round(longitude / 15);
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  const utc = new Date(Date.UTC(y!, mo! - 1, d!, h! - utcOffsetHours, mi!, s!));
  if (Number.isNaN(utc.getTime())) return undefined;
  const position = SunCalc.getPosition(utc, latitude, longitude);
  // suncalc 2 answers in degrees, azimuth clockwise from north, altitude corrected for refraction.
  return { elevationDeg: position.altitude, azimuthDeg: (position.azimuth + 360) % 360, utcOffsetHours };
}

/** The capture time as an ISO instant under the same zone assumption. */
export function captureInstant(localTime: string, longitude: number): string | undefined {
  const m = /^(\d{4})[:-](\d{2})[:-](\d{2})[T ](\d{2}):(\d{2}):(\d{2})/.exec(localTime);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  const utc = new Date(Date.UTC(y!, mo! - 1, d!, h! - Math.round(longitude / 15), mi!, s!));
  return Number.isNaN(utc.getTime()) ? undefined : utc.toISOString();
}
