import { isUtm, utmZone, utmZoneFor } from './utm';

describe('UTM zones', () => {
  test('the zone of a position, north and south, with the Norway exception', () => {
    expect(utmZoneFor(-98.1, 30.2).epsg).toBe(32614); // Texas
    expect(utmZoneFor(-0.14, 50.8).epsg).toBe(32630); // Brighton
    expect(utmZoneFor(151.2, -33.9).epsg).toBe(32756); // Sydney
    expect(utmZoneFor(5.3, 60.4).epsg).toBe(32632); // Bergen: zone 32, not 31
  });

  test('forward and inverse agree to a millimetre and match published coordinates', () => {
    const zone = utmZone(32614);
    // The central meridian (−99°) at the equator is 500 000 m east, 0 m north.
    const [e0, n0] = zone.toProjected(-99, 0);
    expect(e0).toBeCloseTo(500_000, 3);
    expect(n0).toBeCloseTo(0, 3);
    const [e, n] = zone.toProjected(-98.1, 30.2);
    const [lon, lat] = zone.toLonLat(e, n);
    expect(lon).toBeCloseTo(-98.1, 8);
    expect(lat).toBeCloseTo(30.2, 8);
  });

  test('only WGS84 UTM codes are accepted', () => {
    expect(isUtm(32614)).toBe(true);
    expect(isUtm(3857)).toBe(false);
    expect(() => utmZone(3857)).toThrow(/not a WGS84 UTM zone/);
  });
});
