/** WGS84 semi-major axis, metres. */
const EARTH_RADIUS_M = 6_378_137;
const RAD = Math.PI / 180;

/**
 * A local east/north frame in metres around an origin. An equirectangular tangent approximation:
 * over a survey of a few kilometres its scale error stays below 0.01 %, far under GPS noise, and
 * it needs no projection library.
 */
export class LocalFrame {
  private readonly metresPerDegLat: number;
  private readonly metresPerDegLon: number;

  constructor(
    readonly originLat: number,
    readonly originLon: number,
  ) {
    this.metresPerDegLat = EARTH_RADIUS_M * RAD;
    this.metresPerDegLon = EARTH_RADIUS_M * RAD * Math.cos(originLat * RAD);
  }

  /** The frame centred on the median of the given positions (robust to a stray point). */
  static around(points: readonly { latitude: number; longitude: number }[]): LocalFrame {
    if (points.length === 0) throw new Error('a local frame needs at least one position');
    return new LocalFrame(median(points.map((p) => p.latitude)), median(points.map((p) => p.longitude)));
  }

  /** [east, north] in metres. */
  toLocal(latitude: number, longitude: number): [number, number] {
    return [(longitude - this.originLon) * this.metresPerDegLon, (latitude - this.originLat) * this.metresPerDegLat];
  }

  /** [longitude, latitude] of a local point, GeoJSON order. */
  toLonLat(east: number, north: number): [number, number] {
    return [this.originLon + east / this.metresPerDegLon, this.originLat + north / this.metresPerDegLat];
  }
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
