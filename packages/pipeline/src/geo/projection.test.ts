import { isSupportedCrs, projectionFor } from './projection';
import { toMercator } from './web-mercator';

describe('projections by EPSG code', () => {
  test('Web Mercator and WGS84 UTM zones are supported, nothing else', () => {
    expect([3857, 32615, 32756].map(isSupportedCrs)).toEqual([true, true, true]);
    expect([4326, 27700, 32661].map(isSupportedCrs)).toEqual([false, false, false]);
    expect(() => projectionFor(4326)).toThrow(/not a WGS84 UTM zone/);
  });

  test('each maps to and from WGS84 consistently', () => {
    expect(projectionFor(3857).toProjected(-92, 46.8)).toEqual(toMercator(-92, 46.8));
    for (const epsg of [3857, 32615]) {
      const p = projectionFor(epsg);
      const [lon, lat] = p.toLonLat(...p.toProjected(-92, 46.8));
      expect(lon).toBeCloseTo(-92, 9);
      expect(lat).toBeCloseTo(46.8, 9);
    }
  });
});
