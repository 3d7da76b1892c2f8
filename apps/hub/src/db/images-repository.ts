import { type CatalogImageRow, CatalogImageRowSchema, parseAtBoundary } from '@aerial/contracts';
import type { Pool } from 'pg';
import { z } from 'zod';

/** A job's image footprints as GeoJSON. */
export interface FootprintCollection {
  readonly type: 'FeatureCollection';
  readonly features: unknown[];
}

/** The `images` table: each published job's photos, their QA verdicts and footprints (PostGIS). */
export class ImagesRepository {
  constructor(private readonly pool: Pool) {}

  /** Upserts the catalog rows of a job's images, footprints as PostGIS polygons. */
  async recordImages(rows: readonly CatalogImageRow[]): Promise<void> {
    const valid = parseAtBoundary(z.array(CatalogImageRowSchema), rows, 'image rows');
    for (const row of valid) {
      await this.pool.query(
        `INSERT INTO images (job_id, name, sha256, accepted, reasons, captured_at, position, footprint, gsd_cm)
         VALUES ($1, $2, $3, $4, $5, $6,
           CASE WHEN $7::float8 IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint($7, $8), 4326) END,
           CASE WHEN $9::text IS NULL THEN NULL ELSE ST_SetSRID(ST_GeomFromGeoJSON($9), 4326) END,
           $10)
         ON CONFLICT (job_id, name) DO UPDATE SET sha256 = EXCLUDED.sha256, accepted = EXCLUDED.accepted, reasons = EXCLUDED.reasons,
           captured_at = EXCLUDED.captured_at, position = EXCLUDED.position, footprint = EXCLUDED.footprint, gsd_cm = EXCLUDED.gsd_cm`,
        [
          row.jobId,
          row.image,
          row.sha256,
          row.accepted,
          JSON.stringify(row.reasons),
          row.capturedAt ?? null,
          row.longitude ?? null,
          row.latitude ?? null,
          row.footprint ? JSON.stringify(row.footprint) : null,
          row.gsdCm ?? null,
        ],
      );
    }
  }

  /** A job's image footprints as a GeoJSON FeatureCollection (for maps and vector tiles). */
  async footprints(jobId: string): Promise<FootprintCollection> {
    const result = await this.pool.query(
      `SELECT name, accepted, gsd_cm, ST_AsGeoJSON(footprint)::json AS geometry FROM images
       WHERE job_id = $1 AND footprint IS NOT NULL ORDER BY name`,
      [jobId],
    );
    return {
      type: 'FeatureCollection',
      features: result.rows.map((r: { name: string; accepted: boolean; gsd_cm: number | null; geometry: unknown }) => ({
        type: 'Feature',
        geometry: r.geometry,
        properties: { image: r.name, accepted: r.accepted, gsdCm: r.gsd_cm },
      })),
    };
  }
}
