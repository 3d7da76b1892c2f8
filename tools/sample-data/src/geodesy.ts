const A = 6_378_137;
const E2 = 0.006_694_379_990_14;
const RAD = Math.PI / 180;

/**
 * Metres per degree of latitude and longitude at a latitude, on the WGS84 ellipsoid (meridian and
 * prime-vertical radii of curvature). The ground truth uses this exact local scale so that it does
 * not share the pipeline's own approximations.
 */
export function metresPerDegree(latitude: number): { lat: number; lon: number } {
  const s = Math.sin(latitude * RAD);
  const w = 1 - E2 * s * s;
  return { lat: ((A * (1 - E2)) / w ** 1.5) * RAD, lon: (A / Math.sqrt(w)) * Math.cos(latitude * RAD) * RAD };
}

/** [longitude, latitude] of a point `east`, `north` metres from an origin. */
export function offset(originLat: number, originLon: number, east: number, north: number): [number, number] {
  const m = metresPerDegree(originLat);
  return [originLon + east / m.lon, originLat + north / m.lat];
}
