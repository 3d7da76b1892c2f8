const EARTH_RADIUS_M = 6_378_137;
const HALF_WORLD_M = Math.PI * EARTH_RADIUS_M;
const RAD = Math.PI / 180;
/** Web Mercator stops here so that the world is square. */
const MAX_LATITUDE = 85.05112878;

export const TILE_SIZE = 256;

/** EPSG:3857 metres of a WGS84 position. */
export function toMercator(longitude: number, latitude: number): [number, number] {
  const lat = Math.max(-MAX_LATITUDE, Math.min(MAX_LATITUDE, latitude));
  return [longitude * RAD * EARTH_RADIUS_M, EARTH_RADIUS_M * Math.log(Math.tan(Math.PI / 4 + (lat * RAD) / 2))];
}

/** [longitude, latitude] of EPSG:3857 metres. */
export function fromMercator(x: number, y: number): [number, number] {
  return [x / EARTH_RADIUS_M / RAD, (2 * Math.atan(Math.exp(y / EARTH_RADIUS_M)) - Math.PI / 2) / RAD];
}

/** EPSG:3857 metres per pixel of the XYZ grid at `zoom`. */
export function mercatorResolution(zoom: number): number {
  return (2 * HALF_WORLD_M) / (TILE_SIZE * 2 ** zoom);
}

/** Ground metres per pixel at `zoom` and `latitude` (Mercator stretches by 1 / cos(latitude)). */
export function groundResolution(zoom: number, latitude: number): number {
  return mercatorResolution(zoom) * Math.cos(latitude * RAD);
}

/**
 * The zoom whose pixel size is nearest to `gsdM`, leaning coarser: a zoom up to ~1.15× finer than
 * the photos is taken (little is lost to resampling), but not one 1.4× finer, which would double
 * the pixels to render without adding detail.
 */
export function zoomForGsd(gsdM: number, latitude: number): number {
  return Math.max(0, Math.min(24, Math.round(Math.log2(groundResolution(0, latitude) / gsdM) - 0.2)));
}

/** Pixel of the whole-world XYZ grid at `zoom` (x right from 180° W, y down from the top). */
export function worldPixel(longitude: number, latitude: number, zoom: number): [number, number] {
  const [x, y] = toMercator(longitude, latitude);
  const res = mercatorResolution(zoom);
  return [(x + HALF_WORLD_M) / res, (HALF_WORLD_M - y) / res];
}

/** The XYZ tile [x, y] holding a position at `zoom`. */
export function tileAt(longitude: number, latitude: number, zoom: number): [number, number] {
  const [px, py] = worldPixel(longitude, latitude, zoom);
  return [Math.floor(px / TILE_SIZE), Math.floor(py / TILE_SIZE)];
}

/** [longitude, latitude] of a world pixel at `zoom`. */
export function worldPixelToLonLat(px: number, py: number, zoom: number): [number, number] {
  const res = mercatorResolution(zoom);
  return fromMercator(px * res - HALF_WORLD_M, HALF_WORLD_M - py * res);
}

/** EPSG:3857 metres of a world pixel corner at `zoom`. */
export function worldPixelToMercator(px: number, py: number, zoom: number): [number, number] {
  const res = mercatorResolution(zoom);
  return [px * res - HALF_WORLD_M, HALF_WORLD_M - py * res];
}

/** The finest zoom at which one tile holds the whole box (where a map of the job starts), and that tile. */
export function enclosingTile(
  west: number,
  south: number,
  east: number,
  north: number,
  maxZoom: number,
): { zoom: number; x: number; y: number } {
  for (let z = maxZoom; z > 0; z--) {
    const [x0, y0] = worldPixel(west, north, z).map((v) => Math.floor(v / TILE_SIZE)) as [number, number];
    const [x1, y1] = worldPixel(east, south, z).map((v) => Math.floor((v - 1e-9) / TILE_SIZE)) as [number, number];
    if (x0 === x1 && y0 === y1) return { zoom: z, x: x0, y: y0 };
  }
  return { zoom: 0, x: 0, y: 0 };
}
