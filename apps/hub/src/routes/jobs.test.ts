import type { JobRequest } from '@aerial/contracts';
import { LocalFolderStore } from '@aerial/runtime';
import type { FastifyInstance } from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { buildHub } from '../app';
import { ApiKeys } from '../auth/api-keys';
import { migrate } from '../db/migrate';
import { freshDatabase } from '../db/test-support/test-database';
import { TileDatabase } from '../db/tile-database';
import type { EngineExecution, JobEngine } from '../engine/job-engine';

/** An engine that runs nothing and remembers what it was asked to start. */
class RecordingEngine implements JobEngine {
  readonly name = 'recording';
  readonly started: { jobId: string; request: JobRequest }[] = [];

  async start(jobId: string, request: JobRequest): Promise<string> {
    this.started.push({ jobId, request });
    return `recording:${jobId}`;
  }
  async describe(): Promise<EngineExecution | undefined> {
    return { status: 'RUNNING' };
  }
  async stop(): Promise<void> {}
  async ping(): Promise<void> {}
}

/** Starting jobs (directly, and on an uploaded dataset) against a real PostgreSQL, with an engine that only records. */
describe('job routes', () => {
  let db: { pool: Pool; drop(): Promise<void> };
  let hub: FastifyInstance;
  let key: string;
  let dir: string;
  const engine = new RecordingEngine();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aerial-job-routes-'));
    db = await freshDatabase();
    await migrate(db.pool);
    hub = await buildHub({ pool: db.pool, engine, store: new LocalFolderStore(dir) });
    key = (await new ApiKeys(db.pool).create('tests')).key;
  });
  afterAll(async () => {
    await hub?.close();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });
  const auth = () => ({ authorization: `Bearer ${key}` });

  const post = (options: Record<string, unknown>) =>
    hub.inject({
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
    expect((await new TileDatabase(db.pool).jobs.job(jobId))?.request?.options).toEqual({ flightHeightM: 80 });
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
    const created = await hub.inject({ method: 'POST', url: '/api/datasets', payload: {}, headers: auth() });
    const { datasetId, upload } = created.json() as { datasetId: string; upload: string };
    const form = new FormData();
    form.append('file', new Blob([Buffer.from('photo')], { type: 'image/jpeg' }), 'DJI_0001.JPG');
    const sent = new Request('http://hub', { method: 'POST', body: form });
    const uploaded = await hub.inject({
      method: 'POST',
      url: upload,
      payload: Buffer.from(await sent.arrayBuffer()),
      headers: { ...auth(), 'content-type': sent.headers.get('content-type')! },
    });
    expect(uploaded.statusCode).toBe(201);
    const jobOn = (options: Record<string, unknown>) =>
      hub.inject({ method: 'POST', url: `/api/datasets/${datasetId}/jobs`, payload: { options }, headers: auth() });
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
});
