import {
  type CatalogProductRow,
  type FootprintRecord,
  type ImageRecord,
  type Polygon,
  PRODUCTS,
} from '@aerial/contracts';
import { round } from '../../numbers/round';
import { type CatalogColumn, writeGeoParquet } from './geoparquet';
import { type ImageEnrichment } from './image-enrichment';
import { type ProductStages } from './metadata-inputs';
import { type Bbox } from './stac';

/**
 * A catalog row per product the job made, from the product table: keys are relative to the
 * published run (`published/<jobId>/<runId>/`), media type and size those of the stage output.
 */
export function productRows(
  jobId: string,
  stages: ProductStages,
  bbox: Bbox,
  gsdCm: number,
  createdAt: string,
): CatalogProductRow[] {
  return PRODUCTS.flatMap((p) => {
    const outputs = stages.get(p.stage);
    if (!p.catalog || !outputs) return [];
    const output = outputs.output(p.role);
    return [
      {
        jobId,
        product: p.catalog,
        key: p.path,
        mediaType: output.contentType,
        bytes: output.bytes,
        bbox,
        gsdCm,
        createdAt,
      },
    ];
  });
}

/** The images catalog (one row per file Ingest saw, footprint geometry where placed) as GeoParquet. */
export function imagesCatalog(
  jobId: string,
  records: readonly ImageRecord[],
  footprintOf: ReadonlyMap<string, FootprintRecord>,
  enrichment: readonly ImageEnrichment[],
): Promise<Buffer> {
  const columns: CatalogColumn[] = [
    { name: 'job_id', type: 'STRING', data: records.map(() => jobId) },
    { name: 'image', type: 'STRING', data: records.map((r) => r.name) },
    { name: 'sha256', type: 'STRING', data: records.map((r) => r.sha256) },
    { name: 'accepted', type: 'BOOLEAN', data: records.map((r) => r.qa.accepted) },
    { name: 'reasons', type: 'JSON', data: records.map((r) => r.qa.reasons) },
    { name: 'captured_local', type: 'STRING', data: records.map((r) => r.captureTime ?? null) },
    { name: 'captured_at', type: 'STRING', data: enrichment.map((e) => e.capturedAt ?? null) },
    { name: 'longitude', type: 'DOUBLE', data: records.map((r) => r.gps?.longitude ?? null) },
    { name: 'latitude', type: 'DOUBLE', data: records.map((r) => r.gps?.latitude ?? null) },
    { name: 'gsd_cm', type: 'DOUBLE', data: records.map((r) => footprintOf.get(r.name)?.gsdCm ?? null) },
    {
      name: 'sun_elevation_deg',
      type: 'DOUBLE',
      data: enrichment.map((e) => (e.sun ? round(e.sun.elevationDeg, 3) : null)),
    },
    {
      name: 'sun_azimuth_deg',
      type: 'DOUBLE',
      data: enrichment.map((e) => (e.sun ? round(e.sun.azimuthDeg, 3) : null)),
    },
    { name: 'weather', type: 'JSON', data: enrichment.map((e) => e.weather ?? null) },
  ];
  return writeGeoParquet(
    columns,
    records.map((r) => footprintOf.get(r.name)?.footprint ?? null),
  );
}

/** The products catalog as GeoParquet, each row covering the job's area. */
export function productsCatalog(rows: readonly CatalogProductRow[], area: Polygon): Promise<Buffer> {
  const columns: CatalogColumn[] = [
    { name: 'job_id', type: 'STRING', data: rows.map((p) => p.jobId) },
    { name: 'product', type: 'STRING', data: rows.map((p) => p.product) },
    { name: 'key', type: 'STRING', data: rows.map((p) => p.key) },
    { name: 'media_type', type: 'STRING', data: rows.map((p) => p.mediaType) },
    { name: 'bytes', type: 'INT64', data: rows.map((p) => p.bytes) },
    { name: 'gsd_cm', type: 'DOUBLE', data: rows.map((p) => p.gsdCm ?? null) },
    { name: 'created_at', type: 'STRING', data: rows.map((p) => p.createdAt) },
  ];
  return writeGeoParquet(
    columns,
    rows.map(() => area),
  );
}
