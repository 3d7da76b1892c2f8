import { type ProjectedRaster, worldPixelToRaster } from './projected-raster';
import { utmZone } from './utm';
import { WarpGrid } from './warp-grid';
import { worldPixel } from './web-mercator';

/** A raster in `epsg` whose top-left corner is at (lon, lat), with `pixelSizeM` pixels. */
function rasterAt(epsg: number, lon: number, lat: number, pixelSizeM: number): ProjectedRaster {
  const origin = utmZone(epsg).toProjected(lon, lat);
  return { epsg, origin, pixelSizeM, widthPx: 100_000, heightPx: 100_000 };
}

/** Largest distance (raster pixels) between the grid's values and the exact map over a `width` × `height` area at (lon, lat). */
function largestError(raster: ProjectedRaster, zoom: number, lon: number, lat: number, width: number, height: number) {
  const map = worldPixelToRaster(raster, zoom);
  const [px, py] = worldPixel(lon, lat, zoom).map(Math.floor) as [number, number];
  const rect = { x0: px, y0: py, x1: px + width, y1: py + height };
  const grid = new WarpGrid(map, rect);
  const u = new Float64Array(width);
  const v = new Float64Array(width);
  let worst = 0;
  // Every 7th row and 5th column: their positions within cells vary throughout.
  for (let y = rect.y0; y < rect.y1; y += 7) {
    grid.row(y, rect.x0, rect.x1, u, v);
    for (let i = 0; i < width; i += 5) {
      const [eu, ev] = map(rect.x0 + i + 0.5, y + 0.5);
      worst = Math.max(worst, Math.hypot(u[i]! - eu, v[i]! - ev));
    }
  }
  return worst;
}

describe('WarpGrid', () => {
  // Pixel sizes as the tiles see them: about the ground resolution of the zoom.
  test.each([
    ['UTM 30N at Brighton, zoom 22', 32630, -0.14, 50.82, 22, 0.0174, 2048, 512],
    ['UTM 32N at 60° N, 3° east of the central meridian, zoom 22', 32632, 11.9, 60.0, 22, 0.0174, 2048, 512],
    ['UTM 56S at Sydney, zoom 22', 32756, 151.2, -33.9, 22, 0.0174, 2048, 512],
    ['UTM 32N at 60° N, zone edge, zoom 12 (78 km across)', 32632, 11.5, 60.0, 12, 19, 4096, 512],
    ['UTM 56S at Sydney, zoom 12', 32756, 151.2, -33.9, 12, 30, 4096, 512],
  ])(
    'interpolating between nodes every 32 px stays within a thousandth of a pixel of the exact map: %s',
    (_, epsg, lon, lat, zoom, pixelSizeM, width, height) => {
      const raster = rasterAt(epsg, lon - 0.01, lat + 0.01, pixelSizeM);
      const error = largestError(raster, zoom, lon, lat, width, height);
      expect(error).toBeLessThan(1e-3);
    },
  );

  test('a row starting and ending mid-cell matches the same pixels of a whole row', () => {
    const raster = rasterAt(32756, 151.19, -33.89, 0.02);
    const map = worldPixelToRaster(raster, 21);
    const [px, py] = worldPixel(151.2, -33.9, 21).map(Math.floor) as [number, number];
    const grid = new WarpGrid(map, { x0: px, y0: py, x1: px + 300, y1: py + 70 });
    const whole = { u: new Float64Array(300), v: new Float64Array(300) };
    const part = { u: new Float64Array(300), v: new Float64Array(300) };
    grid.row(py + 69, px, px + 300, whole.u, whole.v);
    grid.row(py + 69, px + 45, px + 261, part.u, part.v);
    for (let i = 0; i < 216; i++) {
      expect(part.u[i]).toBeCloseTo(whole.u[45 + i]!, 9);
      expect(part.v[i]).toBeCloseTo(whole.v[45 + i]!, 9);
    }
  });

  test('the bounds of a span of columns hold every value interpolated there', () => {
    const raster = rasterAt(32632, 11.8, 60.01, 0.05);
    const map = worldPixelToRaster(raster, 20);
    const [px, py] = worldPixel(11.9, 60.0, 20).map(Math.floor) as [number, number];
    const grid = new WarpGrid(map, { x0: px, y0: py, x1: px + 700, y1: py + 256 });
    const bounds = grid.bounds(px + 256, px + 512);
    const u = new Float64Array(256);
    const v = new Float64Array(256);
    const seen = { uMin: Infinity, uMax: -Infinity, vMin: Infinity, vMax: -Infinity };
    for (let y = py; y < py + 256; y++) {
      grid.row(y, px + 256, px + 512, u, v);
      for (let i = 0; i < 256; i++) {
        seen.uMin = Math.min(seen.uMin, u[i]!);
        seen.uMax = Math.max(seen.uMax, u[i]!);
        seen.vMin = Math.min(seen.vMin, v[i]!);
        seen.vMax = Math.max(seen.vMax, v[i]!);
      }
    }
    expect(seen.uMin).toBeGreaterThanOrEqual(bounds.uMin);
    expect(seen.uMax).toBeLessThanOrEqual(bounds.uMax);
    expect(seen.vMin).toBeGreaterThanOrEqual(bounds.vMin);
    expect(seen.vMax).toBeLessThanOrEqual(bounds.vMax);
    // Tight: within a pixel of what the columns reach.
    expect(bounds.uMax - seen.uMax).toBeLessThan(1);
    expect(seen.uMin - bounds.uMin).toBeLessThan(1);
  });
});
