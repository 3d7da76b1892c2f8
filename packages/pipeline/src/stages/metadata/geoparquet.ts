import { type Polygon } from '@aerial/contracts';

/** A column of a catalog table: values in row order. */
export interface CatalogColumn {
  readonly name: string;
  readonly type: 'STRING' | 'DOUBLE' | 'BOOLEAN' | 'INT64' | 'JSON';
  readonly data: unknown[];
}

/**
 * A GeoParquet 1.1 file: the given columns plus `geometry` (WKB polygons in OGC:CRS84) and the
 * `geo` file metadata that tells readers which column holds geometries and their extent.
 */
export async function writeGeoParquet(
  columns: readonly CatalogColumn[],
  geometries: readonly (Polygon | null)[],
): Promise<Buffer> {
  const { parquetWriteBuffer, geojsonToWkb } = await import('hyparquet-writer');
  const lons = geometries.flatMap((g) => g?.coordinates[0]?.map((c) => c[0]) ?? []);
  const lats = geometries.flatMap((g) => g?.coordinates[0]?.map((c) => c[1]) ?? []);
  const geo = {
    version: '1.1.0',
    primary_column: 'geometry',
    columns: {
      geometry: {
        encoding: 'WKB',
        geometry_types: ['Polygon'],
        ...(lons.length ? { bbox: [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)] } : {}),
      },
    },
  };
  const buffer = parquetWriteBuffer({
    columnData: [
      ...columns.map((c) => ({
        name: c.name,
        type: c.type,
        data:
          c.type === 'INT64' ? c.data.map((v) => (v === null || v === undefined ? null : BigInt(v as number))) : c.data,
      })),
      { name: 'geometry', type: 'BYTE_ARRAY', data: geometries.map((g) => (g ? geojsonToWkb(g) : null)) },
    ] as Parameters<typeof parquetWriteBuffer>[0]['columnData'],
    kvMetadata: [{ key: 'geo', value: JSON.stringify(geo) }],
    createdBy: 'aerial-platform',
  });
  return Buffer.from(buffer);
}
