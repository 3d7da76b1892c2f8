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
