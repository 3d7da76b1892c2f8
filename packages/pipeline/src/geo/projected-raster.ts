import { projectionFor } from './projection';
import { fromMercator, mercatorResolution, toMercator } from './web-mercator';

const HALF_WORLD_M = Math.PI * 6_378_137;

/** A north-up raster with square pixels in EPSG:3857 or a WGS84 UTM zone, as a COG's georeference gives it. */
export interface ProjectedRaster {
  readonly epsg: number;
  /** Projected coordinates (metres) of the top-left corner of the top-left pixel. */
  readonly origin: readonly [number, number];
  /** Projected metres per pixel. */
  readonly pixelSizeM: number;
  readonly widthPx: number;
  readonly heightPx: number;
}

/** A map from one plane to another, `[x, y]` to `[x', y']`. */
export type PlaneMap = (x: number, y: number) => [number, number];

/** A rectangle `[x0, x1) × [y0, y1)` of a plane. */
export interface Rect {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

/** Projected metres of EPSG:3857 metres, in the raster's CRS. */
function fromMercatorMetres(epsg: number): PlaneMap {
  if (epsg === 3857) return (x, y) => [x, y];
  const projection = projectionFor(epsg);
  return (x, y) => projection.toProjected(...fromMercator(x, y));
}

/** EPSG:3857 metres of projected metres in the raster's CRS. */
function toMercatorMetres(epsg: number): PlaneMap {
  if (epsg === 3857) return (x, y) => [x, y];
  const projection = projectionFor(epsg);
  return (e, n) => toMercator(...projection.toLonLat(e, n));
}

/**
 * Raster pixel coordinates (x right, y down from the raster's top-left corner; pixel centres at
 * half-integers) of continuous world pixel coordinates of the XYZ grid at `zoom`. Exact, and for a
 * UTM raster a proj4 call per point: for sampling, see WarpGrid.
 */
export function worldPixelToRaster(raster: ProjectedRaster, zoom: number): PlaneMap {
  const res = mercatorResolution(zoom);
  const project = fromMercatorMetres(raster.epsg);
  const [ox, oy] = raster.origin;
  const size = raster.pixelSizeM;
  return (px, py) => {
    const [e, n] = project(px * res - HALF_WORLD_M, HALF_WORLD_M - py * res);
    return [(e - ox) / size, (oy - n) / size];
  };
}

/** The inverse of worldPixelToRaster: world pixel coordinates at `zoom` of raster pixel coordinates. */
export function rasterToWorldPixel(raster: ProjectedRaster, zoom: number): PlaneMap {
  const res = mercatorResolution(zoom);
  const unproject = toMercatorMetres(raster.epsg);
  const [ox, oy] = raster.origin;
  const size = raster.pixelSizeM;
  return (u, v) => {
    const [x, y] = unproject(ox + u * size, oy - v * size);
    return [(x + HALF_WORLD_M) / res, (HALF_WORLD_M - y) / res];
  };
}

/**
 * The world pixels at `zoom` that the raster covers, as the smallest rectangle holding its outline.
 * The outline is followed along each edge, not only at the corners: a straight UTM edge is a
 * (very slightly) curved line in Web Mercator.
 */
export function rasterFootprint(raster: ProjectedRaster, zoom: number): Rect {
  const toWorld = rasterToWorldPixel(raster, zoom);
  const { widthPx: w, heightPx: h } = raster;
  const steps = 16;
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let k = 0; k <= steps; k++) {
    const t = k / steps;
    for (const [u, v] of [
      [t * w, 0],
      [t * w, h],
      [0, t * h],
      [w, t * h],
    ] as const) {
      const [x, y] = toWorld(u, v);
      x0 = Math.min(x0, x);
      y0 = Math.min(y0, y);
      x1 = Math.max(x1, x);
      y1 = Math.max(y1, y);
    }
  }
  return { x0, y0, x1, y1 };
}

/**
 * Raster pixels per world pixel at `zoom`, at the raster's centre (the square root of the
 * Jacobian's determinant: for square pixels on a conformal projection, the scale in any direction).
 */
export function rasterPixelsPerWorldPixel(raster: ProjectedRaster, zoom: number): number {
  const toWorld = rasterToWorldPixel(raster, zoom);
  const toRaster = worldPixelToRaster(raster, zoom);
  const [cx, cy] = toWorld(raster.widthPx / 2, raster.heightPx / 2);
  const [u0, v0] = toRaster(cx, cy);
  const [ux, vx] = toRaster(cx + 1, cy);
  const [uy, vy] = toRaster(cx, cy + 1);
  return Math.sqrt(Math.abs((ux - u0) * (vy - v0) - (uy - u0) * (vx - v0)));
}

/**
 * Whether the raster's pixels are the XYZ grid's pixels at `zoom`: EPSG:3857, the grid's pixel
 * size (within a millionth) and a top-left corner on a grid corner (within `tolerancePx`).
 */
export function isOnXyzGrid(raster: ProjectedRaster, zoom: number, tolerancePx: number): boolean {
  if (raster.epsg !== 3857) return false;
  const res = mercatorResolution(zoom);
  if (Math.abs(raster.pixelSizeM / res - 1) > 1e-6) return false;
  const [px, py] = worldOrigin(raster, zoom);
  return Math.abs(px - Math.round(px)) <= tolerancePx && Math.abs(py - Math.round(py)) <= tolerancePx;
}

/** World pixel coordinates at `zoom` of an EPSG:3857 raster's top-left corner. */
export function worldOrigin(raster: ProjectedRaster, zoom: number): [number, number] {
  const res = mercatorResolution(zoom);
  return [(raster.origin[0] + HALF_WORLD_M) / res, (HALF_WORLD_M - raster.origin[1]) / res];
}
