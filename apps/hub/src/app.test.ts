import { LOCAL_STATE_MACHINE_ARN, type PipelineEvent } from '@aerial/contracts';
import { EngineHarness } from '@aerial/pipeline/testing';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import { buildHub } from './app';
import { ApiKeys } from './auth/api-keys';
import { migrate } from './db/migrate';
import { freshDatabase } from './db/test-support/test-database';
import { TileDatabase } from './db/tile-database';
/** The Hub against a real PostgreSQL + PostGIS and the local engine behind its Step Functions API. */
describe('Hub API', () => {
  let engine: EngineHarness;
  let db: { pool: Pool; drop(): Promise<void> };
  let sfn: SFNClient;
  let hub: FastifyInstance;
  let key: string;
  let dir: string;
  const release = () => engine.release();

  beforeAll(async () => {
    engine = await EngineHarness.start();
    sfn = engine.sfn;
    dir = engine.dir;
    db = await freshDatabase();
    await migrate(db.pool);
    hub = await buildHub({ pool: db.pool, sfn, stateMachineArn: LOCAL_STATE_MACHINE_ARN });
    key = (await new ApiKeys(db.pool).create('tests')).key;
  });
  afterAll(async () => {
    await hub?.close();
    await engine?.stop();
    await db?.drop();
  });

  const auth = () => ({ authorization: `Bearer ${key}` });
  const request = (label?: string) => ({
    source: { kind: 'folder', path: dir },
    preset: 'survey',
    ...(label ? { label } : {}),
  });
  const waitFor = async (jobId: string, status: string) => {
    for (let i = 0; i < 200; i++) {
      const detail = (await hub.inject({ url: `/api/jobs/${jobId}` })).json() as {
        execution: { status: string } | null;
      };
      if (detail.execution?.status === status) return detail;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`job ${jobId} never reached ${status}`);
  };

  test('health and readiness check the database and the engine', async () => {
    expect((await hub.inject({ url: '/health' })).json()).toEqual({ status: 'ok' });
    const ready = await hub.inject({ url: '/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', engine: 'ok' } });
    const offline = new SFNClient({
      endpoint: 'http://127.0.0.1:9',
      region: 'local',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    const degraded = await buildHub({ pool: db.pool, sfn: offline, stateMachineArn: LOCAL_STATE_MACHINE_ARN });
    const notReady = await degraded.inject({ url: '/ready' });
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json()).toMatchObject({
      status: 'not ready',
      checks: { database: 'ok', engine: expect.stringMatching(/^unavailable/) },
    });
    await degraded.close();
  });

  test('the OpenAPI document describes the job routes; /docs serves it browsable', async () => {
    const doc = (await hub.inject({ url: '/openapi.json' })).json() as {
      paths: Record<string, Record<string, { security?: unknown }>>;
    };
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/api/job-options',
      '/api/jobs',
      '/api/jobs/{jobId}',
      '/api/jobs/{jobId}/cancel',
      '/api/jobs/{jobId}/resume',
      '/api/jobs/{jobId}/retry',
      '/api/jobs/{jobId}/status',
      '/api/keys',
      '/api/keys/{keyId}/revoke',
    ]);
    expect(doc.paths['/api/jobs']!.post!.security).toEqual([{ apiKey: [] }]);
    expect((await hub.inject({ url: '/docs/' })).headers['content-type']).toMatch(/text\/html/);
  });

  test('starting a job needs an API key; with one, the job runs on the engine and is listed', async () => {
    expect((await hub.inject({ method: 'POST', url: '/api/jobs', payload: request() })).statusCode).toBe(401);
    expect(
      (
        await hub.inject({
          method: 'POST',
          url: '/api/jobs',
          payload: request(),
          headers: { authorization: 'Bearer aerial_0000000000000000_nope' },
        })
      ).statusCode,
    ).toBe(401);
    const started = await hub.inject({ method: 'POST', url: '/api/jobs', payload: request('first'), headers: auth() });
    expect(started.statusCode).toBe(202);
    const { jobId } = started.json() as { jobId: string };
    await waitFor(jobId, 'SUCCEEDED');
    const list = (await hub.inject({ url: '/api/jobs?limit=10' })).json() as {
      jobs: { jobId: string; label: string }[];
    };
    expect(list.jobs.find((j) => j.jobId === jobId)).toMatchObject({ label: 'first', preset: 'survey' });
  });

  test('bad requests get a specific 400, oversized ones 413, unknown jobs 404', async () => {
    const bad = await hub.inject({
      method: 'POST',
      url: '/api/jobs',
      payload: { source: { kind: 'folder', path: dir }, preset: 'everything' },
      headers: auth(),
    });
    expect(bad.statusCode).toBe(400);
    expect((bad.json() as { error: { reason: string } }).error.reason).toMatch(/preset/);
    const big = await hub.inject({
      method: 'POST',
      url: '/api/jobs',
      payload: { ...request(), label: 'x'.repeat(70_000) },
      headers: auth(),
    });
    expect(big.statusCode).toBe(413);
    expect((await hub.inject({ url: '/api/jobs/job-unknown' })).statusCode).toBe(404);
    expect((await hub.inject({ url: '/api/jobs/NOT..VALID' })).statusCode).toBe(400);
  });

  test('a running job can be cancelled, and any job retried with the same request', async () => {
    const { jobId } = (
      await hub.inject({ method: 'POST', url: '/api/jobs', payload: request('hold'), headers: auth() })
    ).json() as { jobId: string };
    await waitFor(jobId, 'RUNNING');
    expect((await hub.inject({ method: 'POST', url: `/api/jobs/${jobId}/cancel`, headers: auth() })).statusCode).toBe(
      202,
    );
    release();
    await waitFor(jobId, 'ABORTED');
    const retried = await hub.inject({ method: 'POST', url: `/api/jobs/${jobId}/retry`, headers: auth() });
    expect(retried.statusCode).toBe(202);
    expect((retried.json() as { jobId: string }).jobId).not.toBe(jobId);
  });

  test('a failed job resumes from the stage it failed in through RedriveExecution, and its attempts say so', async () => {
    // The job's events reach the tile database in order, as the MQTT bridge stores them.
    const tiles = new TileDatabase(db.pool);
    let stored: Promise<unknown> = Promise.resolve();
    const bridge = (event: PipelineEvent) => {
      stored = stored.then(() => tiles.events.recordEvent(event)).catch(() => undefined);
    };
    engine.events.on('event', bridge);
    const { jobId } = (
      await hub.inject({ method: 'POST', url: '/api/jobs', payload: request('fail-once'), headers: auth() })
    ).json() as { jobId: string };
    await waitFor(jobId, 'FAILED');
    await stored;
    const firstRun = [...engine.ran(jobId)];
    expect(firstRun).toEqual(['GuardBudget', 'Ingest', 'Footprints']);
    expect((await hub.inject({ method: 'POST', url: `/api/jobs/${jobId}/cancel`, headers: auth() })).json()).toEqual({
      error: {
        name: 'Aerial.JobStateConflict',
        reason: `job ${jobId} is failed: only a queued or running job can be cancelled`,
      },
    });

    const resumed = await hub.inject({ method: 'POST', url: `/api/jobs/${jobId}/resume`, headers: auth() });
    expect(resumed.statusCode).toBe(202);
    expect(resumed.json()).toEqual({ jobId, attempt: 2, fromStage: 'Footprints' });
    const done = (await waitFor(jobId, 'SUCCEEDED')) as unknown as { attempts: { outcome: string | null }[] };
    expect(engine.ran(jobId).slice(firstRun.length)).toEqual(['Footprints']);
    expect(done.attempts).toMatchObject([
      { attempt: 1, kind: 'start', outcome: 'failed', stage: 'Footprints', error: { name: 'Aerial.Internal' } },
      { attempt: 2, kind: 'resume', fromStage: 'Footprints' },
    ]);
    await stored;
    const ended = (await hub.inject({ url: `/api/jobs/${jobId}` })).json() as {
      status: string;
      attempts: { outcome: string | null }[];
    };
    expect(ended.status).toBe('succeeded');
    expect(ended.attempts.map((a) => a.outcome)).toEqual(['failed', 'succeeded']);
    const again = await hub.inject({ method: 'POST', url: `/api/jobs/${jobId}/resume`, headers: auth() });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ error: { name: 'Aerial.JobStateConflict' } });
    engine.events.off('event', bridge);
  });

  test('responses carry security headers and no CORS grant', async () => {
    const response = await hub.inject({ url: '/api/jobs' });
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });

  test('clients over the rate limit get 429', async () => {
    const limited = await buildHub({
      pool: db.pool,
      sfn,
      stateMachineArn: LOCAL_STATE_MACHINE_ARN,
      rateLimitPerMinute: 3,
    });
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await limited.inject({ url: '/health' })).statusCode);
    expect(codes).toEqual([200, 200, 200, 429]);
    await limited.close();
  });

  test('revoked keys stop working', async () => {
    const keys = new ApiKeys(db.pool);
    const { keyId, key: other } = await keys.create('temporary');
    expect(await keys.verify(other)).toEqual({ keyId, kind: 'write' });
    await keys.revoke(keyId);
    expect(await keys.verify(other)).toBeUndefined();
  });
});
