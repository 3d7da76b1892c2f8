import { jobIdFromTopic, JobStatusSchema, nextJobStatus, PipelineEventSchema, topics } from './events';
import { newJobId } from './stages';

describe('pipeline events and topics', () => {
  test('a stage failure carries its named error', () => {
    const event = PipelineEventSchema.parse({
      type: 'stage.failed',
      jobId: 'job-1',
      at: '2026-11-22T10:00:00Z',
      stage: 'Ingest',
      error: { name: 'Aerial.QualityRejected', reason: 'only 1 of 18 images passed QA' },
    });
    expect(event.type).toBe('stage.failed');
  });

  test('rejects progress outside 0..100 and unknown stages', () => {
    const at = '2026-11-22T10:00:00Z';
    expect(
      PipelineEventSchema.safeParse({ type: 'stage.progress', jobId: 'job-1', at, stage: 'Tiles', percent: 120 })
        .success,
    ).toBe(false);
    expect(
      PipelineEventSchema.safeParse({ type: 'stage.started', jobId: 'job-1', at, stage: 'Stitch', attempt: 1 }).success,
    ).toBe(false);
  });

  test('topics are per job and round-trip', () => {
    expect(topics.jobEvents('job-1')).toBe('aerial/v1/jobs/job-1/events');
    expect(topics.jobStatus('job-1')).toBe('aerial/v1/jobs/job-1/status');
    expect(jobIdFromTopic(topics.jobStatus('job-1'))).toBe('job-1');
    expect(jobIdFromTopic('aerial/v1/jobs/+/events')).toBeUndefined();
  });

  test('a job id cannot inject topic wildcards or levels', () => {
    expect(() => topics.jobEvents('a/#')).toThrow(/lowercase letters, digits or dashes/);
    expect(() => topics.jobStatus('+')).toThrow();
  });

  test('retained status validates its state', () => {
    expect(
      JobStatusSchema.safeParse({ jobId: 'job-1', state: 'paused', updatedAt: '2026-11-22T10:00:00Z' }).success,
    ).toBe(false);
  });
});

describe('nextJobStatus', () => {
  const at = '2026-11-22T10:00:00Z';
  test('follows a job through its stages to its end', () => {
    let status = nextJobStatus(undefined, { type: 'job.started', jobId: 'job-1', at });
    expect(status.state).toBe('running');
    status = nextJobStatus(status, { type: 'stage.progress', jobId: 'job-1', at, stage: 'Ingest', percent: 40 });
    expect(status).toMatchObject({ state: 'running', stage: 'Ingest', percent: 40 });
    status = nextJobStatus(status, {
      type: 'job.failed',
      jobId: 'job-1',
      at,
      error: { name: 'Aerial.QualityRejected', reason: 'r' },
    });
    expect(status).toMatchObject({ state: 'failed', stage: 'Ingest', error: { name: 'Aerial.QualityRejected' } });
    expect(JobStatusSchema.safeParse(status).success).toBe(true);
  });

  test('a resumed job runs again from the stage it ended in, without its error; a resume is a second attempt or later', () => {
    const failed = nextJobStatus(undefined, {
      type: 'job.failed',
      jobId: 'job-1',
      at,
      stage: 'Footprints',
      error: { name: 'Aerial.Internal', reason: 'r' },
    });
    const resumed = nextJobStatus(failed, { type: 'job.resumed', jobId: 'job-1', at, attempt: 2, stage: 'Footprints' });
    expect(resumed).toEqual({ jobId: 'job-1', state: 'running', stage: 'Footprints', updatedAt: at });
    expect(PipelineEventSchema.safeParse({ type: 'job.resumed', jobId: 'job-1', at, attempt: 1 }).success).toBe(false);
  });
});

describe('newJobId', () => {
  test('is a valid, day-prefixed job id and differs between calls', () => {
    const a = newJobId(new Date('2026-11-22T10:00:00Z'));
    expect(a).toMatch(/^job-20261122-[0-9a-f]{8}$/);
    expect(newJobId()).not.toBe(newJobId());
  });

  test('a job that failed or was cancelled names its stage, not the last stage event', () => {
    const at = '2026-11-22T10:00:00Z';
    const running = nextJobStatus(undefined, { type: 'stage.started', jobId: 'job-1', at, stage: 'Tiles', attempt: 1 });
    expect(
      nextJobStatus(running, {
        type: 'job.failed',
        jobId: 'job-1',
        at,
        stage: 'Orthomosaic',
        error: { name: 'Aerial.Internal', reason: 'r' },
      }),
    ).toMatchObject({ state: 'failed', stage: 'Orthomosaic' });
    expect(nextJobStatus(running, { type: 'job.cancelled', jobId: 'job-1', at, stage: 'Tiles' })).toMatchObject({
      state: 'cancelled',
      stage: 'Tiles',
    });
  });
});
