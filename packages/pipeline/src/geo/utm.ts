import proj4 from 'proj4';

/** A UTM zone on WGS84: its EPSG code (326zz north, 327zz south) and forward/inverse maps. */
export interface UtmZone {
  readonly epsg: number;
  readonly zone: number;
  readonly south: boolean;
  /** [easting, northing] in metres of a WGS84 position. */
  toProjected(longitude: number, latitude: number): [number, number];
  /** [longitude, latitude] of a projected position. */
  toLonLat(easting: number, northing: number): [number, number];
}

/**
 * The UTM zone a GIS user expects for a job at this position (the zone of its centre), with
 * Norway's and Svalbard's exceptions as EPSG defines them.
 */
export function utmZoneFor(longitude: number, latitude: number): UtmZone {
  let zone = Math.floor(((((longitude + 180) % 360) + 360) % 360) / 6) + 1;
  if (latitude >= 56 && latitude < 64 && longitude >= 3 && longitude < 12) zone = 32;
  if (latitude >= 72 && latitude < 84) {
    if (longitude >= 0 && longitude < 9) zone = 31;
    else if (longitude >= 9 && longitude < 21) zone = 33;
    else if (longitude >= 21 && longitude < 33) zone = 35;
    else if (longitude >= 33 && longitude < 42) zone = 37;
  }
  return utmZone(latitude < 0 ? 32700 + zone : 32600 + zone);
}

/** The WGS84 UTM zone of an EPSG code (32601–32660, 32701–32760). */
export function utmZone(epsg: number): UtmZone {
  const south = epsg >= 32701 && epsg <= 32760;
  if (!south && !(epsg >= 32601 && epsg <= 32660)) throw new Error(`EPSG:${epsg} is not a WGS84 UTM zone`);
  const zone = epsg % 100;
  const converter = proj4(
    'EPSG:4326',
    `+proj=utm +zone=${zone}${south ? ' +south' : ''} +datum=WGS84 +units=m +no_defs`,
  );
  return {
    epsg,
    zone,
    south,
    toProjected: (longitude, latitude) => converter.forward([longitude, latitude]) as [number, number],
    toLonLat: (easting, northing) => converter.inverse([easting, northing]) as [number, number],
  };
}

/** Whether an EPSG code is a WGS84 UTM zone. */
export function isUtm(epsg: number): boolean {
  return (epsg >= 32601 && epsg <= 32660) || (epsg >= 32701 && epsg <= 32760);
}
