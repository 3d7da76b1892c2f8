import type { JobRequest, JobStatus } from '@aerial/contracts';
import type { Pool } from 'pg';

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

/**
 * A job with what the Hub needs to act on it: the request it was started with, its execution,
 * and the job it retries (a retry is a new job that names its origin).
 */
export type JobRecord = JobRow & { request: JobRequest | null; executionArn: string | null; retryOf: string | null };

/** The columns a status poll reads. */
export interface JobStatusRow {
  readonly status: JobStatus['state'];
  readonly stage: string | null;
  readonly errorName: string | null;
  readonly errorReason: string | null;
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

/**
 * The `jobs` table: what the Hub started and where each job stands. Events move a job's status
 * along (the EventsRepository); this is where jobs are recorded and read.
 */
export class JobsRepository {
  constructor(private readonly pool: Pool) {}

  /**
   * Records a job (idempotent: a second call adds the execution once the engine answered);
   * `retryOf`: the job it retries.
   */
  async recordJob(jobId: string, request: JobRequest, executionArn?: string, retryOf?: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO jobs (job_id, preset, priority, label, status, execution_arn, request, retry_of)
       VALUES ($1, $2, $3, $4, 'queued', $5, $6, $7)
       ON CONFLICT (job_id) DO UPDATE SET execution_arn = COALESCE(EXCLUDED.execution_arn, jobs.execution_arn), updated_at = now()`,
      [
        jobId,
        request.preset,
        request.priority,
        request.label ?? null,
        executionArn ?? null,
        JSON.stringify(request),
        retryOf ?? null,
      ],
    );
  }

  /** The jobs that retry this one, oldest first. */
  async retriesOf(jobId: string): Promise<string[]> {
    const result = await this.pool.query('SELECT job_id FROM jobs WHERE retry_of = $1 ORDER BY created_at, job_id', [
      jobId,
    ]);
    return result.rows.map((r: { job_id: string }) => r.job_id);
  }

  /** Removes a job that never started (its engine refused it). */
  async forgetJob(jobId: string): Promise<void> {
    await this.pool.query("DELETE FROM jobs WHERE job_id = $1 AND status = 'queued'", [jobId]);
  }

  /** Links a job to the dataset it processes. */
  async linkJobToDataset(jobId: string, datasetId: string): Promise<void> {
    await this.pool.query('UPDATE jobs SET dataset_id = $2 WHERE job_id = $1', [jobId, datasetId]);
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

  async job(jobId: string): Promise<JobRecord | undefined> {
    const result = await this.pool.query(
      `SELECT job_id, preset, priority, label, status, stage, error_name, error_reason, created_at, updated_at, request,
         execution_arn, retry_of
       FROM jobs WHERE job_id = $1`,
      [jobId],
    );
    const row = result.rows[0] as
      (RawJob & { request: JobRequest | null; execution_arn: string | null; retry_of: string | null }) | undefined;
    return row && { ...toJobRow(row), request: row.request, executionArn: row.execution_arn, retryOf: row.retry_of };
  }

  async jobStatus(jobId: string): Promise<JobStatusRow | undefined> {
    const result = await this.pool.query('SELECT status, stage, error_name, error_reason FROM jobs WHERE job_id = $1', [
      jobId,
    ]);
    const row = result.rows[0] as
      | { status: JobStatus['state']; stage: string | null; error_name: string | null; error_reason: string | null }
      | undefined;
    return row && { status: row.status, stage: row.stage, errorName: row.error_name, errorReason: row.error_reason };
  }
}
