import { isUtm, utmZone } from './utm';
import { fromMercator, toMercator } from './web-mercator';

/** A projected CRS a mosaic may be delivered in: its EPSG code and its maps to and from WGS84. */
export interface Projection {
  readonly epsg: number;
  /** [x, y] in the CRS's metres of a WGS84 position. */
  toProjected(longitude: number, latitude: number): [number, number];
  /** [longitude, latitude] of a projected position. */
  toLonLat(x: number, y: number): [number, number];
}

/** Whether an EPSG code is one a raster may be delivered in (Web Mercator or a WGS84 UTM zone). */
export function isSupportedCrs(epsg: number): boolean {
  return epsg === 3857 || isUtm(epsg);
}

/** The projection of EPSG:3857 or a WGS84 UTM zone; throws for any other code. */
export function projectionFor(epsg: number): Projection {
  return epsg === 3857 ? { epsg, toProjected: toMercator, toLonLat: fromMercator } : utmZone(epsg);
}
