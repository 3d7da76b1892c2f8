import {
  isOnXyzGrid,
  type ProjectedRaster,
  rasterFootprint,
  rasterPixelsPerWorldPixel,
  rasterToWorldPixel,
  worldPixelToRaster,
} from './projected-raster';
import { utmZone } from './utm';
import { groundResolution, mercatorResolution, worldPixelToMercator } from './web-mercator';

describe('a projected raster against the XYZ grid', () => {
  const sydney: ProjectedRaster = {
    epsg: 32756,
    origin: utmZone(32756).toProjected(151.2, -33.86),
    pixelSizeM: 0.02,
    widthPx: 8000,
    heightPx: 6000,
  };

  test('raster pixels and world pixels map to each other and back within a micro-pixel', () => {
    const toWorld = rasterToWorldPixel(sydney, 22);
    const toRaster = worldPixelToRaster(sydney, 22);
    for (const [u, v] of [
      [0, 0],
      [8000, 6000],
      [1234.5, 4321.25],
    ] as const) {
      const [x, y] = toRaster(...toWorld(u, v));
      expect(Math.abs(x - u)).toBeLessThan(1e-6);
      expect(Math.abs(y - v)).toBeLessThan(1e-6);
    }
  });

  test('the footprint holds the four corners and the scale is the ground resolution over the pixel size', () => {
    const footprint = rasterFootprint(sydney, 22);
    const toWorld = rasterToWorldPixel(sydney, 22);
    for (const [u, v] of [
      [0, 0],
      [8000, 0],
      [0, 6000],
      [8000, 6000],
    ] as const) {
      const [x, y] = toWorld(u, v);
      expect(x).toBeGreaterThanOrEqual(footprint.x0);
      expect(x).toBeLessThanOrEqual(footprint.x1);
      expect(y).toBeGreaterThanOrEqual(footprint.y0);
      expect(y).toBeLessThanOrEqual(footprint.y1);
    }
    // Within UTM's own scale there (0.9999) and the ellipsoid, which the spherical ground
    // resolution leaves out (~0.1 %).
    const expected = groundResolution(22, -33.861) / 0.02;
    expect(Math.abs(rasterPixelsPerWorldPixel(sydney, 22) / expected - 1)).toBeLessThan(0.002);
  });

  test('a 3857 raster is on the grid only with the zoom’s pixel size and a corner on a pixel corner', () => {
    const [x, y] = worldPixelToMercator(1_000_000, 2_000_000, 21);
    const onGrid: ProjectedRaster = {
      epsg: 3857,
      origin: [x, y],
      pixelSizeM: mercatorResolution(21),
      widthPx: 10,
      heightPx: 10,
    };
    expect(isOnXyzGrid(onGrid, 21, 0.05)).toBe(true);
    expect(isOnXyzGrid({ ...onGrid, origin: [x + mercatorResolution(21) * 0.1, y] }, 21, 0.05)).toBe(false);
    expect(isOnXyzGrid({ ...onGrid, pixelSizeM: mercatorResolution(21) * 1.001 }, 21, 0.05)).toBe(false);
    expect(isOnXyzGrid(onGrid, 20, 0.05)).toBe(false);
    expect(isOnXyzGrid({ ...sydney }, 22, 0.05)).toBe(false);
  });
});
