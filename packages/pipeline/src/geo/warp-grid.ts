import { type PlaneMap, type Rect } from './projected-raster';

/**
 * Nodes every 32 px. Between nodes the map is taken as bilinear; what that leaves is the map's
 * curvature over a cell, about an eighth of the span squared times the second derivative. From Web
 * Mercator to UTM the scale changes by tan(latitude) × distance / earth radius and the grid
 * convergence by about as much, so the error grows with the square of a cell's ground size:
 * warp-grid.test.ts measures 1e-6 px at zoom 22 and 6e-4 px at zoom 12 (78 km across, at a
 * zone's edge at 60° N), far below a pixel. A proj4 call per pixel (~0.3 µs, two per pixel with
 * the inverse Mercator) would cost more than the resampling itself.
 */
export const WARP_GRID_SPACING = 32;

/**
 * A map from world pixels of a rectangle to raster pixels, computed exactly at nodes every
 * `spacing` pixels (and on the rectangle's far edges) and interpolated bilinearly in between.
 * The rectangle's edges are whole pixels; a pixel's value is taken at its centre.
 */
export class WarpGrid {
  /** Node x positions (world pixels), the last one the rectangle's right edge. */
  private readonly xs: Float64Array;
  private readonly ys: Float64Array;
  /** Raster coordinates of the nodes, row-major. */
  private readonly u: Float64Array;
  private readonly v: Float64Array;
  /** Bounds of the raster coordinates over the rectangle: bilinear cells take their extremes at their nodes. */
  readonly uMin: number;
  readonly uMax: number;
  readonly vMin: number;
  readonly vMax: number;

  constructor(
    map: PlaneMap,
    readonly rect: Rect,
    readonly spacing: number = WARP_GRID_SPACING,
  ) {
    this.xs = nodes(rect.x0, rect.x1, spacing);
    this.ys = nodes(rect.y0, rect.y1, spacing);
    const nx = this.xs.length;
    this.u = new Float64Array(nx * this.ys.length);
    this.v = new Float64Array(nx * this.ys.length);
    let uMin = Infinity;
    let uMax = -Infinity;
    let vMin = Infinity;
    let vMax = -Infinity;
    for (let j = 0; j < this.ys.length; j++) {
      for (let i = 0; i < nx; i++) {
        const [u, v] = map(this.xs[i]!, this.ys[j]!);
        this.u[j * nx + i] = u;
        this.v[j * nx + i] = v;
        uMin = Math.min(uMin, u);
        uMax = Math.max(uMax, u);
        vMin = Math.min(vMin, v);
        vMax = Math.max(vMax, v);
      }
    }
    this.uMin = uMin;
    this.uMax = uMax;
    this.vMin = vMin;
    this.vMax = vMax;
  }

  /** Bounds of the raster coordinates over columns `[xFrom, xTo)` of the rectangle (from the nodes of the cells they touch). */
  bounds(xFrom: number, xTo: number): RasterBounds {
    const { xs, spacing } = this;
    const nx = xs.length;
    const cFirst = Math.min(Math.floor((xFrom + 0.5 - xs[0]!) / spacing), nx - 2);
    const cLast = Math.min(Math.floor((xTo - 0.5 - xs[0]!) / spacing), nx - 2) + 1;
    let uMin = Infinity;
    let uMax = -Infinity;
    let vMin = Infinity;
    let vMax = -Infinity;
    for (let j = 0; j < this.ys.length; j++) {
      for (let i = j * nx + cFirst; i <= j * nx + cLast; i++) {
        uMin = Math.min(uMin, this.u[i]!);
        uMax = Math.max(uMax, this.u[i]!);
        vMin = Math.min(vMin, this.v[i]!);
        vMax = Math.max(vMax, this.v[i]!);
      }
    }
    return { uMin, uMax, vMin, vMax };
  }

  /**
   * Raster coordinates of the centres of world pixels `[xFrom, xTo)` of row `y` (whole pixels
   * inside the rectangle), written to `u` and `v` from index 0.
   */
  row(y: number, xFrom: number, xTo: number, u: Float64Array, v: Float64Array): void {
    const { xs, ys, spacing } = this;
    const nx = xs.length;
    const cy = y + 0.5;
    const r = Math.min(Math.floor((cy - ys[0]!) / spacing), ys.length - 2);
    const t = (cy - ys[r]!) / (ys[r + 1]! - ys[r]!);
    const top = r * nx;
    const bottom = top + nx;
    let c = Math.min(Math.floor((xFrom + 0.5 - xs[0]!) / spacing), nx - 2);
    let out = 0;
    let x = xFrom;
    while (x < xTo) {
      const left = xs[c]!;
      const right = xs[c + 1]!;
      const uL = this.u[top + c]! + (this.u[bottom + c]! - this.u[top + c]!) * t;
      const vL = this.v[top + c]! + (this.v[bottom + c]! - this.v[top + c]!) * t;
      const uR = this.u[top + c + 1]! + (this.u[bottom + c + 1]! - this.u[top + c + 1]!) * t;
      const vR = this.v[top + c + 1]! + (this.v[bottom + c + 1]! - this.v[top + c + 1]!) * t;
      const du = (uR - uL) / (right - left);
      const dv = (vR - vL) / (right - left);
      // Pixels whose centres lie in this cell (the last cell takes the rest).
      const end = c === nx - 2 ? xTo : Math.min(xTo, Math.ceil(right - 0.5));
      let uc = uL + (x + 0.5 - left) * du;
      let vc = vL + (x + 0.5 - left) * dv;
      for (; x < end; x++, out++) {
        u[out] = uc;
        v[out] = vc;
        uc += du;
        vc += dv;
      }
      c++;
    }
  }
}

/** Bounds of raster coordinates over an area of the plane. */
export interface RasterBounds {
  readonly uMin: number;
  readonly uMax: number;
  readonly vMin: number;
  readonly vMax: number;
}

/** Node positions from `from` to `to` every `spacing`, `to` included. */
function nodes(from: number, to: number, spacing: number): Float64Array {
  const n = Math.max(1, Math.ceil((to - from) / spacing));
  const out = new Float64Array(n + 1);
  for (let i = 0; i <= n; i++) out[i] = Math.min(from + i * spacing, to);
  return out;
}
