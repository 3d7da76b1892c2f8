import { enclosingTile, tileAt, worldPixel, zoomForGsd } from './web-mercator';

describe('web mercator', () => {
  test('tiles of known places (slippy-map convention)', () => {
    expect(tileAt(0, 0, 1)).toEqual([1, 1]);
    expect(tileAt(-0.1278, 51.5074, 10)).toEqual([511, 340]); // London
    expect(worldPixel(-180, 85.05112878, 3)).toEqual([0, expect.closeTo(0, 6)]);
  });

  test('the zoom nearest a GSD leans coarser, and the job starts at the tile that holds it', () => {
    expect(zoomForGsd(0.0174, 46.84)).toBe(22); // Brighton Beach: 2.55 cm pixels, not 1.28 cm
    expect(enclosingTile(-91.9951, 46.8419, -91.993, 46.8434, 22)).toMatchObject({ zoom: 15 });
  });
});
