import type { PipelineEvent } from '@aerial/contracts';
import type { Pool } from 'pg';
import { EventsRepository } from './events-repository';
import { JobsRepository } from './jobs-repository';
import { migrate } from './migrate';
import { folderJobRequest } from './test-support/job-request';
import { freshDatabase } from './test-support/test-database';

describe('EventsRepository on PostgreSQL', () => {
  let db: { pool: Pool; drop(): Promise<void> };
  let jobs: JobsRepository;
  let events: EventsRepository;
  beforeAll(async () => {
    db = await freshDatabase();
    await migrate(db.pool);
    jobs = new JobsRepository(db.pool);
    events = new EventsRepository(db.pool);
  });
  afterAll(async () => db?.drop());

  const at = (s: number) => new Date(Date.UTC(2026, 10, 22, 10, 0, s)).toISOString();

  test('a resume runs the job again without its error, unless its new attempt ended first', async () => {
    await jobs.recordJob('job-db-resume', folderJobRequest());
    const error = { name: 'Aerial.Internal' as const, reason: 'boom' };
    await events.recordEvent({ type: 'job.failed', jobId: 'job-db-resume', at: at(1), stage: 'Footprints', error });
    await events.recordEvent({
      type: 'job.resumed',
      jobId: 'job-db-resume',
      at: at(2),
      attempt: 2,
      stage: 'Footprints',
    });
    expect(await jobs.jobStatus('job-db-resume')).toEqual({
      status: 'running',
      stage: 'Footprints',
      errorName: null,
      errorReason: null,
    });
    // The engine's end of the new attempt arrived before the Hub recorded the resume.
    await jobs.recordJob('job-db-race', folderJobRequest());
    await events.recordEvent({ type: 'job.failed', jobId: 'job-db-race', at: at(1), error });
    await events.recordEvent({ type: 'job.succeeded', jobId: 'job-db-race', at: at(3) });
    await events.recordEvent({ type: 'job.resumed', jobId: 'job-db-race', at: at(2), attempt: 2 });
    expect((await jobs.jobStatus('job-db-race'))?.status).toBe('succeeded');
  });

  test('events move a job along, are stored once, and invalid ones are refused', async () => {
    await jobs.recordJob('job-db-1', folderJobRequest());
    const sequence: PipelineEvent[] = [
      { type: 'job.started', jobId: 'job-db-1', at: at(0) },
      { type: 'stage.started', jobId: 'job-db-1', at: at(1), stage: 'Ingest', attempt: 1 },
      {
        type: 'job.failed',
        jobId: 'job-db-1',
        at: at(2),
        error: { name: 'Aerial.QualityRejected', reason: 'only 1 of 18 passed' },
      },
    ];
    for (const e of sequence) expect(await events.recordEvent(e)).toBe(true);
    expect(await events.recordEvent(sequence[1])).toBe(false);
    expect(await events.events('job-db-1')).toHaveLength(3);
    expect(await jobs.jobStatus('job-db-1')).toEqual({
      status: 'failed',
      stage: 'Ingest',
      errorName: 'Aerial.QualityRejected',
      errorReason: 'only 1 of 18 passed',
    });
    await expect(
      events.recordEvent({ type: 'stage.progress', jobId: 'job-db-1', at: at(3), stage: 'Ingest', percent: 250 }),
    ).rejects.toThrow(/invalid pipeline event: percent/);
  });

  test('a batch returns only the new events, in order, and moves each job to its last status', async () => {
    await jobs.recordJob('job-db-4', folderJobRequest());
    await jobs.recordJob('job-db-5', folderJobRequest());
    const first: PipelineEvent = { type: 'job.started', jobId: 'job-db-4', at: at(0) };
    expect(await events.recordEvents([first])).toEqual([first]);
    const batch: PipelineEvent[] = [
      first,
      { type: 'stage.started', jobId: 'job-db-4', at: at(1), stage: 'Ingest', attempt: 1 },
      { type: 'job.started', jobId: 'job-db-5', at: at(1) },
      { type: 'job.succeeded', jobId: 'job-db-4', at: at(2) },
    ];
    expect(await events.recordEvents(batch)).toEqual(batch.slice(1));
    expect(await jobs.jobStatus('job-db-4')).toMatchObject({ status: 'succeeded', stage: 'Ingest' });
    expect(await jobs.jobStatus('job-db-5')).toMatchObject({ status: 'running', stage: null });
    expect(await events.recordEvents([])).toEqual([]);
  });
});
