import { parseAtBoundary } from '@aerial/contracts';
import type { Pool } from 'pg';
import { z } from 'zod';

/** A reconstruction as the map lists it. */
export interface ReconstructionRow {
  readonly jobId: string;
  readonly bbox: [number, number, number, number];
  readonly gsdCm: number | null;
  readonly products: Record<string, string>;
  readonly publishedAt: string | null;
}

const BboxSchema = z
  .tuple([
    z.number().min(-180).max(180),
    z.number().min(-90).max(90),
    z.number().min(-180).max(180),
    z.number().min(-90).max(90),
  ])
  .refine(
    ([w, s, e, n]) => w <= e && s <= n,
    'bbox must be [west, south, east, north] with west ≤ east and south ≤ north',
  );

interface RawReconstruction {
  job_id: string;
  w: number;
  s: number;
  e: number;
  n: number;
  gsd_cm: number | null;
  products: Record<string, string>;
  published_at: Date | null;
}

/**
 * The `reconstructions` table: per published job, the area its accepted images cover (from the
 * `images` footprints), its resolution and products; what the map finds by bounding box.
 */
export class ReconstructionsRepository {
  constructor(private readonly pool: Pool) {}

  /** Records (or replaces) a job's reconstruction: its covered area is the union of the accepted footprints. */
  async recordReconstruction(jobId: string, products: Record<string, string>, gsdCm?: number): Promise<void> {
    const result = await this.pool.query(
      `INSERT INTO reconstructions (job_id, footprint, bbox, gsd_cm, products)
       SELECT $1, ST_Multi(ST_Union(footprint)), ST_Envelope(ST_Union(footprint)), $2, $3
       FROM images WHERE job_id = $1 AND accepted AND footprint IS NOT NULL
       HAVING count(*) > 0
       ON CONFLICT (job_id) DO UPDATE SET footprint = EXCLUDED.footprint, bbox = EXCLUDED.bbox, gsd_cm = EXCLUDED.gsd_cm, products = EXCLUDED.products`,
      [jobId, gsdCm ?? null, JSON.stringify(products)],
    );
    if (result.rowCount === 0)
      throw new Error(`job ${jobId} has no accepted image footprints to make a reconstruction of`);
  }

  async publish(jobId: string, at = new Date()): Promise<void> {
    await this.pool.query('UPDATE reconstructions SET published_at = $2 WHERE job_id = $1', [jobId, at.toISOString()]);
  }

  /** Published reconstructions whose extent meets the bbox [west, south, east, north]. */
  async reconstructionsIn(bbox: unknown): Promise<ReconstructionRow[]> {
    const [w, s, e, n] = parseAtBoundary(BboxSchema, bbox, 'bbox');
    const result = await this.pool.query(
      `SELECT job_id, ST_XMin(bbox) AS w, ST_YMin(bbox) AS s, ST_XMax(bbox) AS e, ST_YMax(bbox) AS n, gsd_cm, products, published_at
       FROM reconstructions
       WHERE published_at IS NOT NULL AND bbox && ST_MakeEnvelope($1, $2, $3, $4, 4326)
       ORDER BY published_at DESC`,
      [w, s, e, n],
    );
    return result.rows.map((r: RawReconstruction) => ({
      jobId: r.job_id,
      bbox: [r.w, r.s, r.e, r.n],
      gsdCm: r.gsd_cm,
      products: r.products,
      publishedAt: r.published_at ? r.published_at.toISOString() : null,
    }));
  }
}
