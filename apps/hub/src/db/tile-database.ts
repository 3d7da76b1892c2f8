import {
  type CatalogImageRow,
  CatalogImageRowSchema,
  type JobRequest,
  type JobStatus,
  parseAtBoundary,
  type PipelineEvent,
  PipelineEventSchema,
} from '@aerial/contracts';
import type { Pool } from 'pg';
import { z } from 'zod';

/** A job as lists show it. */
export interface JobRow {
  readonly jobId: string;
  readonly preset: string;
  readonly priority: string;
  readonly label: string | null;
  readonly status: JobStatus['state'];
  readonly stage: string | null;
  readonly error: { name: string; reason: string } | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

interface RawJob {
  job_id: string;
  preset: string;
  priority: string;
  label: string | null;
  status: JobStatus['state'];
  stage: string | null;
  error_name: string | null;
  error_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

function toJobRow(r: RawJob): JobRow {
  return {
    jobId: r.job_id,
    preset: r.preset,
    priority: r.priority,
    label: r.label,
    status: r.status,
    stage: r.stage,
    error: r.error_name ? { name: r.error_name, reason: r.error_reason ?? '' } : null,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

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

const STATUS_OF: Partial<Record<PipelineEvent['type'], JobStatus['state']>> = {
  'job.started': 'running',
  'job.succeeded': 'succeeded',
  'job.failed': 'failed',
  'job.cancelled': 'cancelled',
};

/**
 * The tile database through `pg`: the same SQL runs on PostgreSQL + PostGIS and on the embedded
 * PGlite. Every write is idempotent, because stages and events are retried.
 */
export class TileDatabase {
  constructor(private readonly pool: Pool) {}

  async recordJob(jobId: string, request: JobRequest, executionArn?: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO jobs (job_id, preset, priority, label, status, execution_arn, request)
       VALUES ($1, $2, $3, $4, 'queued', $5, $6)
       ON CONFLICT (job_id) DO UPDATE SET execution_arn = COALESCE(EXCLUDED.execution_arn, jobs.execution_arn), updated_at = now()`,
      [jobId, request.preset, request.priority, request.label ?? null, executionArn ?? null, JSON.stringify(request)],
    );
  }

  async createDataset(datasetId: string, prefix: string, label?: string): Promise<void> {
    await this.pool.query('INSERT INTO datasets (dataset_id, label, prefix, files, bytes) VALUES ($1, $2, $3, 0, 0)', [
      datasetId,
      label ?? null,
      prefix,
    ]);
  }

  async dataset(
    datasetId: string,
  ): Promise<{ datasetId: string; label: string | null; prefix: string; files: number; bytes: number } | undefined> {
    const result = await this.pool.query(
      'SELECT dataset_id, label, prefix, files, bytes FROM datasets WHERE dataset_id = $1',
      [datasetId],
    );
    const r = result.rows[0] as
      { dataset_id: string; label: string | null; prefix: string; files: number; bytes: string } | undefined;
    return r && { datasetId: r.dataset_id, label: r.label, prefix: r.prefix, files: r.files, bytes: Number(r.bytes) };
  }

  async updateDatasetTotals(datasetId: string, files: number, bytes: number): Promise<void> {
    await this.pool.query('UPDATE datasets SET files = $2, bytes = $3 WHERE dataset_id = $1', [
      datasetId,
      files,
      bytes,
    ]);
  }

  /** Links a job to the dataset it processes. */
  async linkJobToDataset(jobId: string, datasetId: string): Promise<void> {
    await this.pool.query('UPDATE jobs SET dataset_id = $2 WHERE job_id = $1', [jobId, datasetId]);
  }

  /** Removes a job that never started (its engine refused it). */
  async forgetJob(jobId: string): Promise<void> {
    await this.pool.query("DELETE FROM jobs WHERE job_id = $1 AND status = 'queued'", [jobId]);
  }

  /** Stores an event once and moves the job's status and current stage along. */
  async recordEvent(raw: unknown): Promise<boolean> {
    const [stored] = await this.recordEvents([raw]);
    return stored !== undefined;
  }

  /**
   * Stores a batch of events in one statement (each once: replays are ignored) and moves each
   * job's status and stage along with one update per job. Returns the events that were new, in
   * order. Batching is what keeps up with a burst of progress events on the embedded database,
   * whose single backend runs one statement at a time.
   */
  async recordEvents(raw: readonly unknown[]): Promise<PipelineEvent[]> {
    const events = raw.map((e) => parseAtBoundary(PipelineEventSchema, e, 'pipeline event'));
    if (events.length === 0) return [];
    const stages = events.map((e) => ('stage' in e ? e.stage : ''));
    const inserted = await this.pool.query(
      `INSERT INTO job_events (job_id, type, stage, at, payload)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::jsonb[])
       ON CONFLICT (job_id, type, stage, at) DO NOTHING
       RETURNING job_id, type, stage, at`,
      [
        events.map((e) => e.jobId),
        events.map((e) => e.type),
        stages,
        events.map((e) => e.at),
        events.map((e) => JSON.stringify(e)),
      ],
    );
    const fresh = new Set(
      inserted.rows.map(
        (r: { job_id: string; type: string; stage: string; at: Date }) =>
          `${r.job_id}|${r.type}|${r.stage}|${r.at.getTime()}`,
      ),
    );
    const stored = events.filter((e, i) => fresh.has(`${e.jobId}|${e.type}|${stages[i]}|${Date.parse(e.at)}`));
    // Per job, the last status and stage the new events carry.
    const jobs = new Map<
      string,
      { status?: JobStatus['state']; stage?: string; error?: { name: string; reason: string } }
    >();
    for (const event of stored) {
      const current = jobs.get(event.jobId) ?? {};
      const status = STATUS_OF[event.type];
      if (status) current.status = status;
      if ('stage' in event) current.stage = event.stage;
      if (event.type === 'job.failed') current.error = event.error;
      jobs.set(event.jobId, current);
    }
    for (const [jobId, change] of jobs) {
      await this.pool.query(
        `UPDATE jobs SET
           status = COALESCE($2, status),
           stage = COALESCE($3, stage),
           error_name = COALESCE($4, error_name),
           error_reason = COALESCE($5, error_reason),
           updated_at = now()
         WHERE job_id = $1`,
        [jobId, change.status ?? null, change.stage ?? null, change.error?.name ?? null, change.error?.reason ?? null],
      );
    }
    return stored;
  }

  /** Jobs, newest first, optionally of one status. */
  async jobs(filter: { status?: JobStatus['state']; limit: number }): Promise<JobRow[]> {
    const result = await this.pool.query(
      `SELECT job_id, preset, priority, label, status, stage, error_name, error_reason, created_at, updated_at FROM jobs
       WHERE ($1::text IS NULL OR status = $1) ORDER BY created_at DESC, job_id LIMIT $2`,
      [filter.status ?? null, filter.limit],
    );
    return result.rows.map(toJobRow);
  }

  async job(
    jobId: string,
  ): Promise<(JobRow & { request: JobRequest | null; executionArn: string | null }) | undefined> {
    const result = await this.pool.query(
      `SELECT job_id, preset, priority, label, status, stage, error_name, error_reason, created_at, updated_at, request, execution_arn
       FROM jobs WHERE job_id = $1`,
      [jobId],
    );
    const row = result.rows[0] as (RawJob & { request: JobRequest | null; execution_arn: string | null }) | undefined;
    return row && { ...toJobRow(row), request: row.request, executionArn: row.execution_arn };
  }

  async jobStatus(
    jobId: string,
  ): Promise<
    | { status: JobStatus['state']; stage: string | null; errorName: string | null; errorReason: string | null }
    | undefined
  > {
    const result = await this.pool.query('SELECT status, stage, error_name, error_reason FROM jobs WHERE job_id = $1', [
      jobId,
    ]);
    const row = result.rows[0] as
      | { status: JobStatus['state']; stage: string | null; error_name: string | null; error_reason: string | null }
      | undefined;
    return row && { status: row.status, stage: row.stage, errorName: row.error_name, errorReason: row.error_reason };
  }

  async events(jobId: string): Promise<PipelineEvent[]> {
    const result = await this.pool.query('SELECT payload FROM job_events WHERE job_id = $1 ORDER BY at, id', [jobId]);
    return result.rows.map((r: { payload: unknown }) => PipelineEventSchema.parse(r.payload));
  }

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
  async footprints(jobId: string): Promise<{ type: 'FeatureCollection'; features: unknown[] }> {
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
    return result.rows.map(
      (r: {
        job_id: string;
        w: number;
        s: number;
        e: number;
        n: number;
        gsd_cm: number | null;
        products: Record<string, string>;
        published_at: Date | null;
      }) => ({
        jobId: r.job_id,
        bbox: [r.w, r.s, r.e, r.n],
        gsdCm: r.gsd_cm,
        products: r.products,
        publishedAt: r.published_at ? r.published_at.toISOString() : null,
      }),
    );
  }
}
