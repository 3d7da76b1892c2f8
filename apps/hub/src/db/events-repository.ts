import { type JobStatus, parseAtBoundary, type PipelineEvent, PipelineEventSchema } from '@aerial/contracts';
import type { Pool } from 'pg';

const STATUS_OF: Partial<Record<PipelineEvent['type'], JobStatus['state']>> = {
  'job.started': 'running',
  'job.succeeded': 'succeeded',
  'job.failed': 'failed',
  'job.cancelled': 'cancelled',
};

/** What a batch of new events changes on one job: its last status, stage and error. */
type JobChange = { status?: JobStatus['state']; stage?: string; error?: { name: string; reason: string } };

/**
 * The `job_events` table: each pipeline event once, in order. Storing an event moves its job's
 * status and current stage along (the `jobs` row), in the same call. Every write is idempotent,
 * because stages and events are retried.
 */
export class EventsRepository {
  constructor(private readonly pool: Pool) {}

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
    const stored = await this.insertNew(events);
    const changes = changesByJob(stored);
    for (const [jobId, change] of changes) {
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
    for (const resumed of stored.filter((e) => e.type === 'job.resumed')) await this.resume(resumed);
    return stored;
  }

  /**
   * A resumed job runs again, without its last error, unless its new attempt has already ended:
   * the Hub records the resume once the engine accepted it, and a quick failure may come first.
   */
  private async resume(event: PipelineEvent): Promise<void> {
    await this.pool.query(
      `UPDATE jobs SET status = 'running', error_name = NULL, error_reason = NULL, updated_at = now()
       WHERE job_id = $1 AND NOT EXISTS (
         SELECT 1 FROM job_events WHERE job_id = $1 AND at > $2 AND type IN ('job.succeeded', 'job.failed', 'job.cancelled'))`,
      [event.jobId, event.at],
    );
  }

  /** A job's events, oldest first. */
  async events(jobId: string): Promise<PipelineEvent[]> {
    const result = await this.pool.query('SELECT payload FROM job_events WHERE job_id = $1 ORDER BY at, id', [jobId]);
    return result.rows.map((r: { payload: unknown }) => PipelineEventSchema.parse(r.payload));
  }

  /** Inserts the events in one statement and returns those that were not stored before. */
  private async insertNew(events: PipelineEvent[]): Promise<PipelineEvent[]> {
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
    return events.filter((e, i) => fresh.has(`${e.jobId}|${e.type}|${stages[i]}|${Date.parse(e.at)}`));
  }
}

/** Per job, the last status and stage the events carry. */
function changesByJob(events: readonly PipelineEvent[]): Map<string, JobChange> {
  const jobs = new Map<string, JobChange>();
  for (const event of events) {
    const current = jobs.get(event.jobId) ?? {};
    const status = STATUS_OF[event.type];
    if (status) current.status = status;
    if ('stage' in event) current.stage = event.stage;
    if (event.type === 'job.failed') current.error = event.error;
    jobs.set(event.jobId, current);
  }
  return jobs;
}
