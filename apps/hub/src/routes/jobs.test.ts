import { AerialError } from '@aerial/contracts';
import { AERIAL_PIPELINE, stagesFor } from '@aerial/definition';
import type { Pool } from 'pg';
import { buildHub } from '../app';
import { ApiKeys } from '../auth/api-keys';
import { migrate } from '../db/migrate';
import { freshDatabase } from '../db/test-support/test-database';
import { TileDatabase } from '../db/tile-database';
import { RecordingEngine } from './test-support/recording-engine';
import { useRecordingHub } from './test-support/recording-hub';

/** Starting jobs (directly, and on an uploaded dataset) against a real PostgreSQL, with an engine that only records. */
describe('job routes', () => {
  const env = useRecordingHub('aerial-job-routes-');
  const { engine, auth } = env;

  const post = (options: Record<string, unknown>) =>
    env.hub.inject({
      method: 'POST',
      url: '/api/jobs',
      payload: { source: { kind: 'folder', path: '/photos' }, options },
      headers: auth(),
    });

  test('a flight height reaches the engine and the stored job request', async () => {
    const started = await post({ flightHeightM: 80 });
    expect(started.statusCode).toBe(202);
    const { jobId } = started.json() as { jobId: string };
    expect(engine.started.find((s) => s.jobId === jobId)?.request.options).toEqual({ flightHeightM: 80 });
    expect((await new TileDatabase(env.pool).jobs.job(jobId))?.request?.options).toEqual({ flightHeightM: 80 });
  });

  test('without a flight height the request carries none', async () => {
    const { jobId } = (await post({})).json() as { jobId: string };
    expect(engine.started.find((s) => s.jobId === jobId)?.request.options).toEqual({});
  });

  test.each([0, -5, 'abc', 10_001])('a flight height of %p gets a 400 that names the option', async (flightHeightM) => {
    const before = engine.started.length;
    const refused = await post({ flightHeightM });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toEqual({
      error: { name: 'Aerial.InvalidInput', reason: expect.stringMatching(/options\/flightHeightM/) },
    });
    expect(engine.started).toHaveLength(before);
  });

  test('a job started on an uploaded dataset takes the flight height too', async () => {
    const created = await env.hub.inject({ method: 'POST', url: '/api/datasets', payload: {}, headers: auth() });
    const { datasetId, upload } = created.json() as { datasetId: string; upload: string };
    const form = new FormData();
    form.append('file', new Blob([Buffer.from('photo')], { type: 'image/jpeg' }), 'DJI_0001.JPG');
    const sent = new Request('http://hub', { method: 'POST', body: form });
    const uploaded = await env.hub.inject({
      method: 'POST',
      url: upload,
      payload: Buffer.from(await sent.arrayBuffer()),
      headers: { ...auth(), 'content-type': sent.headers.get('content-type')! },
    });
    expect(uploaded.statusCode).toBe(201);
    const jobOn = (options: Record<string, unknown>) =>
      env.hub.inject({ method: 'POST', url: `/api/datasets/${datasetId}/jobs`, payload: { options }, headers: auth() });
    const started = await jobOn({ flightHeightM: 120.5 });
    expect(started.statusCode).toBe(202);
    const { jobId } = started.json() as { jobId: string };
    expect(engine.started.find((s) => s.jobId === jobId)?.request).toMatchObject({
      source: { kind: 'prefix' },
      preset: 'map',
      options: { flightHeightM: 120.5 },
    });
    const refused = await jobOn({ flightHeightM: 0 });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toMatch(/options\/flightHeightM/);
  });

  test("a job in detail carries its preset's stages: a map job has no SfM, Splat or Compress", async () => {
    const started = await env.hub.inject({
      method: 'POST',
      url: '/api/jobs',
      payload: { source: { kind: 'folder', path: '/photos' }, preset: 'map', label: 'map job' },
      headers: auth(),
    });
    const { jobId } = started.json() as { jobId: string };
    const detail = await env.hub.inject({ url: `/api/jobs/${jobId}` });
    expect(detail.statusCode).toBe(200);
    const body = detail.json() as { stages: string[]; label: string; status: string; execution: unknown };
    expect(body).toMatchObject({ label: 'map job', preset: 'map', status: 'queued', events: [] });
    expect(body.execution).toEqual({ status: 'RUNNING' });
    expect(body.stages).toEqual(stagesFor(AERIAL_PIPELINE, 'map'));
    expect(body.stages).toEqual(expect.arrayContaining(['Ingest', 'Orthomosaic', 'Publish', 'Notify']));
    for (const stage of ['SfM', 'Splat', 'Compress']) expect(body.stages).not.toContain(stage);
    const byDefault = (await post({})).json() as { jobId: string };
    expect(
      ((await env.hub.inject({ url: `/api/jobs/${byDefault.jobId}` })).json() as { stages: string[] }).stages,
    ).toEqual(stagesFor(AERIAL_PIPELINE, 'map'));
  });

  test('the status is cheap to poll; the list filters by status; unknown jobs are 404', async () => {
    const { jobId } = (await post({})).json() as { jobId: string };
    const status = await env.hub.inject({ url: `/api/jobs/${jobId}/status` });
    expect(status.json()).toEqual({ jobId, status: 'queued', stage: null, error: null });
    const queued = (await env.hub.inject({ url: '/api/jobs?status=queued&limit=200' })).json() as {
      jobs: { jobId: string }[];
    };
    expect(queued.jobs.map((j) => j.jobId)).toContain(jobId);
    expect((await env.hub.inject({ url: '/api/jobs?status=running' })).json()).toEqual({ jobs: [] });
    expect((await env.hub.inject({ url: '/api/jobs/job-none-here/status' })).statusCode).toBe(404);
    expect((await env.hub.inject({ url: '/api/jobs?limit=0' })).statusCode).toBe(400);
  });

  test('cancel stops the execution, retry starts a new job with the same request that names its origin; both need a key', async () => {
    const { jobId } = (await post({ flightHeightM: 95 })).json() as { jobId: string };
    expect((await env.hub.inject({ method: 'POST', url: `/api/jobs/${jobId}/cancel` })).statusCode).toBe(401);
    const cancelled = await env.hub.inject({ method: 'POST', url: `/api/jobs/${jobId}/cancel`, headers: auth() });
    expect(cancelled.statusCode).toBe(202);
    expect(engine.stopped).toContainEqual({ ref: `recording:${jobId}`, cause: 'cancelled through the Hub' });
    engine.execution = { status: 'ABORTED', stopDate: new Date().toISOString() };
    const retried = await env.hub.inject({ method: 'POST', url: `/api/jobs/${jobId}/retry`, headers: auth() });
    engine.execution = { status: 'RUNNING' };
    expect(retried.statusCode).toBe(202);
    const again = (retried.json() as { jobId: string; retryOf: string }).jobId;
    expect(again).not.toBe(jobId);
    expect(retried.json()).toMatchObject({ retryOf: jobId });
    expect(engine.started.find((s) => s.jobId === again)?.request.options).toEqual({ flightHeightM: 95 });
    expect((await env.hub.inject({ url: `/api/jobs/${again}` })).json()).toMatchObject({ retryOf: jobId, retries: [] });
    // The engine's stop is recorded at once, before the retry: the origin shows it ended, and its retry.
    expect((await env.hub.inject({ url: `/api/jobs/${jobId}` })).json()).toMatchObject({
      status: 'cancelled',
      retryOf: null,
      retries: [again],
      attempts: [{ attempt: 1, kind: 'start', outcome: 'cancelled' }],
    });
    for (const action of ['cancel', 'resume', 'retry'])
      expect(
        (await env.hub.inject({ method: 'POST', url: `/api/jobs/job-none-here/${action}`, headers: auth() }))
          .statusCode,
      ).toBe(404);
  });

  test('each action applies to the states it names, otherwise 409 Aerial.JobStateConflict', async () => {
    const { jobId } = (await post({})).json() as { jobId: string };
    const act = (action: string) =>
      env.hub.inject({ method: 'POST', url: `/api/jobs/${jobId}/${action}`, headers: auth() });
    const conflict = async (action: string, reason: RegExp) => {
      const refused = await act(action);
      expect(refused.statusCode).toBe(409);
      expect(refused.json()).toEqual({
        error: { name: 'Aerial.JobStateConflict', reason: expect.stringMatching(reason) },
      });
    };
    // Running (as the engine reports it): cancel only.
    await conflict('resume', /is running: only a failed, cancelled or timed-out job can be resumed/);
    await conflict('retry', /is running: only an ended job can be retried/);

    // Failed in Footprints: resume or retry, not cancel.
    const events = new TileDatabase(env.pool).events;
    await events.recordEvent({ type: 'job.started', jobId, at: new Date(Date.now() - 5000).toISOString() });
    const failedAt = new Date(Date.now() - 4000).toISOString();
    const error = { name: 'Aerial.Internal', reason: 'boom' };
    await events.recordEvent({ type: 'stage.failed', jobId, at: failedAt, stage: 'Footprints', error });
    await events.recordEvent({ type: 'job.failed', jobId, at: failedAt, stage: 'Footprints', error });
    engine.execution = { status: 'FAILED', error: 'Aerial.Internal', cause: 'boom', stopDate: failedAt };
    await conflict('cancel', /is failed: only a queued or running job can be cancelled/);
    const resumed = await act('resume');
    expect(resumed.statusCode).toBe(202);
    expect(resumed.json()).toEqual({ jobId, attempt: 2, fromStage: 'Footprints' });
    expect(engine.resumed).toContain(`recording:${jobId}`);

    // The same job runs again: its error is cleared, its history has two attempts.
    engine.execution = { status: 'RUNNING' };
    const running = (await env.hub.inject({ url: `/api/jobs/${jobId}` })).json() as Record<string, unknown>;
    expect(running).toMatchObject({ status: 'running', error: null });
    expect(running.attempts).toEqual([
      expect.objectContaining({ attempt: 1, kind: 'start', outcome: 'failed', stage: 'Footprints', endedAt: failedAt }),
      expect.objectContaining({ attempt: 2, kind: 'resume', fromStage: 'Footprints', outcome: null, endedAt: null }),
    ]);
    await conflict('resume', /is running/);

    // An engine that cannot resume says why.
    engine.execution = { status: 'FAILED', stopDate: new Date().toISOString() };
    engine.refuse = new AerialError('Aerial.JobStateConflict', 'Step Functions cannot resume this job: too old');
    try {
      await conflict('resume', /too old/);
    } finally {
      engine.refuse = undefined;
      engine.execution = { status: 'RUNNING' };
    }
    const after = (await env.hub.inject({ url: `/api/jobs/${jobId}` })).json() as {
      attempts: { outcome: string | null }[];
      status: string;
    };
    expect(after.attempts.map((a) => a.outcome)).toEqual(['failed', 'failed']);
    expect(after.status).toBe('failed');
  });

  test('a job the engine refuses is not kept; one the engine ended is ended here too', async () => {
    const before = ((await env.hub.inject({ url: '/api/jobs?limit=200' })).json() as { jobs: unknown[] }).jobs.length;
    engine.refuse = new Error('the engine is full');
    try {
      expect((await post({})).statusCode).toBe(500);
    } finally {
      engine.refuse = undefined;
    }
    const after = ((await env.hub.inject({ url: '/api/jobs?limit=200' })).json() as { jobs: unknown[] }).jobs.length;
    expect(after).toBe(before);

    const { jobId } = (await post({})).json() as { jobId: string };
    engine.execution = { status: 'SUCCEEDED', stopDate: '2026-11-22T10:00:00.000Z' };
    try {
      const detail = (await env.hub.inject({ url: `/api/jobs/${jobId}` })).json() as {
        status: string;
        events: unknown[];
      };
      expect(detail.status).toBe('succeeded');
      expect(detail.events).toEqual([{ type: 'job.succeeded', jobId, at: '2026-11-22T10:00:00.000Z' }]);
    } finally {
      engine.execution = { status: 'RUNNING' };
    }
  });
});

describe('the sample job route', () => {
  let db: { pool: Pool; drop(): Promise<void> };
  let key: string;
  const engine = new RecordingEngine();
  beforeAll(async () => {
    db = await freshDatabase();
    await migrate(db.pool);
    key = (await new ApiKeys(db.pool).create('tests')).key;
  });
  afterAll(async () => db?.drop());

  test('POST /api/samples starts a map job on the sample photos, and is absent without them', async () => {
    const hub = await buildHub({ pool: db.pool, engine, samplePhotos: async () => '/data/sample-survey/images' });
    try {
      const started = await hub.inject({
        method: 'POST',
        url: '/api/samples',
        headers: { authorization: `Bearer ${key}` },
      });
      expect(started.statusCode).toBe(202);
      const { jobId } = started.json() as { jobId: string };
      expect(engine.started.find((s) => s.jobId === jobId)?.request).toMatchObject({
        source: { kind: 'folder', path: '/data/sample-survey/images' },
        preset: 'map',
        label: 'sample survey',
      });
      expect((await hub.inject({ method: 'POST', url: '/api/samples' })).statusCode).toBe(401);
    } finally {
      await hub.close();
    }
    const without = await buildHub({ pool: db.pool, engine });
    try {
      expect(
        (await without.inject({ method: 'POST', url: '/api/samples', headers: { authorization: `Bearer ${key}` } }))
          .statusCode,
      ).toBe(404);
    } finally {
      await without.close();
    }
  });
});
