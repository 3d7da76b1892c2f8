import {
  AerialError,
  DEFAULT_ENVIRONMENTS,
  keys,
  type PipelineEvent,
  type StageName,
  STAGE_NAMES,
  LOCAL_STATE_MACHINE_ARN,
} from '@aerial/contracts';
import { getJson, LocalFolderStore, MqttEventPublisher, type StageHandler } from '@aerial/runtime';
import { type LocalEngine, SfnApiServer } from '@aerial/pipeline';
import { fakeStages } from '@aerial/pipeline/testing';
import { inProcessEngine } from '@aerial/pipeline/testing';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { FastifyInstance } from 'fastify';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'pg';
import { buildHub } from '../app';
import { ApiKeys } from '../auth/api-keys';
import { migrate } from '../db/migrate';
import { TileDatabase } from '../db/tile-database';
import { MqttEventBridge } from '../mqtt/event-bridge';
import {
  type RestartableBroker,
  restartableAedes,
  restartableMosquitto,
  RestartablePostgres,
} from './test-support/restartable-services';

interface Job {
  status: string;
  stage: string | null;
  error: { name: string; reason: string } | null;
  events: PipelineEvent[];
  execution: { status: string; error?: string; cause?: string } | null;
}

/**
 * Faults as the Hub sees them, with everything real but the stages: a PostgreSQL and a Mosquitto
 * of the test's own (so that they can be restarted), the local engine behind its Step Functions
 * API publishing events to the broker, the Hub's event bridge storing them. The stages are small
 * fakes (test-only) that misbehave by the job's label.
 */
describe.each([
  ['Mosquitto', restartableMosquitto],
  ['aedes', restartableAedes],
] as const)('faults: jobs through the Hub, events through %s', (_name, startBroker) => {
  let pg: RestartablePostgres;
  let broker: RestartableBroker;
  let pool: Pool;
  let dir: string;
  let store: LocalFolderStore;
  let engine: LocalEngine;
  let server: SfnApiServer;
  let publisher: MqttEventPublisher;
  let bridge: MqttEventBridge;
  let sfn: SFNClient;
  let hub: FastifyInstance;
  let key: string;
  const emitted: PipelineEvent[] = [];

  /** By label: `fail` fails Footprints for good, `flaky` drops Ingest's connection once, `hold` waits in Ingest for its gate. */
  function labelled(dir: string): Partial<Record<StageName, StageHandler>> {
    const base = fakeStages();
    const handlers = { ...base };
    const tries = new Map<string, number>();
    for (const stage of STAGE_NAMES) {
      if (stage === 'Notify') continue;
      handlers[stage] = async (invocation, context) => {
        const label = context.request.label ?? '';
        const tried = (tries.get(`${invocation.jobId}/${stage}`) ?? 0) + 1;
        tries.set(`${invocation.jobId}/${stage}`, tried);
        if (stage === 'Footprints' && label === 'fail') {
          throw new AerialError('Aerial.QualityRejected', 'the footprints do not overlap');
        }
        if (stage === 'Ingest' && label === 'flaky' && tried === 1)
          throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
        if (stage === 'Ingest' && label === 'hold')
          while (!existsSync(join(dir, `gate-${invocation.jobId}`)) && !context.signal.aborted) await sleep(20);
        return base[stage]!(invocation, context);
      };
    }
    return handlers;
  }

  beforeAll(async () => {
    [pg, broker] = await Promise.all([RestartablePostgres.start(), startBroker()]);
    pool = new Pool({ connectionString: pg.url, max: 4 });
    // A restarting server ends idle connections; the pool replaces them (the Hub's must listen too).
    pool.on('error', () => undefined);
    await migrate(pool);
    dir = mkdtempSync(join(tmpdir(), 'aerial-hub-faults-'));
    store = new LocalFolderStore(join(dir, 'objects'));
    const handlers = labelled(dir);
    const environment = DEFAULT_ENVIRONMENTS.dev;
    engine = inProcessEngine({
      executions: join(dir, 'executions'),
      store,
      handlers,
      environment,
      retryDelayScale: 0.01,
      stopPollMs: 20,
    });
    publisher = await MqttEventPublisher.connect(broker.url, { clientId: 'aerial-faults-engine' });
    engine.on('event', (event) => {
      emitted.push(event);
      void publisher.publish(event).catch(() => undefined);
    });
    server = new SfnApiServer(engine);
    sfn = new SFNClient({
      endpoint: await server.listen(),
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const tiles = new TileDatabase(pool);
    bridge = await MqttEventBridge.start(broker.url, tiles.events, { clientId: 'aerial-faults-bridge' });
    // The tests poll hard; the per-client rate limit is not under test here.
    hub = await buildHub({ pool, sfn, stateMachineArn: LOCAL_STATE_MACHINE_ARN, store, rateLimitPerMinute: 1_000_000 });
    key = (await new ApiKeys(pool).create('faults')).key;
  }, 120_000);

  afterAll(async () => {
    await hub?.close();
    await bridge?.stop().catch(() => undefined);
    await publisher?.close().catch(() => undefined);
    sfn?.destroy();
    await server?.close();
    await pool?.end().catch(() => undefined);
    pg?.close();
    await broker?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const auth = () => ({ authorization: `Bearer ${key}` });
  async function submit(label: string): Promise<string> {
    const response = await hub.inject({
      method: 'POST',
      url: '/api/jobs',
      payload: { source: { kind: 'folder', path: dir }, label, preset: 'map' },
      headers: auth(),
    });
    expect(response.statusCode).toBe(202);
    return (response.json() as { jobId: string }).jobId;
  }
  const job = async (jobId: string) => (await hub.inject({ url: `/api/jobs/${jobId}` })).json() as Job;
  async function until(jobId: string, done: (job: Job) => boolean, ms = 60_000): Promise<Job> {
    const deadline = Date.now() + ms;
    for (;;) {
      const response = await hub.inject({ url: `/api/jobs/${jobId}` });
      if (response.statusCode === 200 && done(response.json() as Job)) return response.json() as Job;
      if (Date.now() > deadline) throw new Error(`job ${jobId}: ${response.body}`);
      await sleep(50);
    }
  }
  const ended = (j: Job) => ['succeeded', 'failed', 'cancelled'].includes(j.status);
  /** The events the engine emitted for a job, as the tile database keys them. */
  const keyOf = (e: PipelineEvent) => `${e.type}|${'stage' in e ? e.stage : ''}|${Date.parse(e.at)}`;
  const emittedFor = (jobId: string) =>
    emitted
      .filter((e) => e.jobId === jobId)
      .map(keyOf)
      .sort();

  test('a permanent failure: the job page and API say FAILED, in Footprints, with the named error; no products', async () => {
    const jobId = await submit('fail');
    const failed = await until(jobId, ended);
    expect(failed).toMatchObject({
      status: 'failed',
      stage: 'Footprints',
      error: { name: 'Aerial.QualityRejected', reason: 'the footprints do not overlap' },
      execution: { status: 'FAILED', error: 'Aerial.QualityRejected' },
    });
    expect(failed.events.at(-1)).toMatchObject({ type: 'job.failed', stage: 'Footprints' });
    expect((await hub.inject({ url: `/api/jobs/${jobId}/products` })).statusCode).toBe(404);
    expect(await getJson(store, `${keys.stage(jobId, 'Notify')}/notification.json`)).toMatchObject({
      outcome: 'failed',
    });
  });

  test('a transient failure once: retried, succeeded, and the retry is in the job’s events', async () => {
    const jobId = await submit('flaky');
    const done = await until(jobId, ended);
    expect(done.status).toBe('succeeded');
    expect(done.events).toContainEqual(
      expect.objectContaining({
        type: 'stage.failed',
        stage: 'Ingest',
        error: expect.objectContaining({ name: 'Aerial.Transient' }),
      }),
    );
    expect(done.events).toContainEqual(expect.objectContaining({ type: 'stage.started', stage: 'Ingest', attempt: 2 }));
  });

  test('a job cancelled from the Hub shows CANCELLED (not RUNNING) in its stage, and Notify ran', async () => {
    const jobId = await submit('hold');
    await until(jobId, (j) => j.status === 'running' && j.stage === 'Ingest');
    expect((await hub.inject({ method: 'POST', url: `/api/jobs/${jobId}/cancel`, headers: auth() })).statusCode).toBe(
      202,
    );
    const cancelled = await until(jobId, ended);
    expect(cancelled).toMatchObject({ status: 'cancelled', stage: 'Ingest', execution: { status: 'ABORTED' } });
    expect((await hub.inject({ url: `/api/jobs/${jobId}/status` })).json()).toMatchObject({ status: 'cancelled' });
    expect(await getJson(store, `${keys.stage(jobId, 'Notify')}/notification.json`)).toMatchObject({
      outcome: 'failed',
      error: { name: 'Aerial.Cancelled', stage: 'Ingest' },
    });
  });

  test('PostgreSQL restarts mid-job: the Hub reconnects, and the job’s state and events are right afterwards', async () => {
    const jobId = await submit('hold');
    await until(jobId, (j) => j.status === 'running' && j.stage === 'Ingest');
    pg.down();
    writeFileSync(join(dir, `gate-${jobId}`), '');
    // The job ends while the database is away; its events reach the bridge, which keeps them.
    const arn = (await engine.listExecutions()).find((e) => e.name === jobId)!.executionArn;
    expect((await engine.waitFor(arn)).status).toBe('SUCCEEDED');
    expect((await hub.inject({ url: `/api/jobs/${jobId}` })).statusCode).toBe(500);
    const rejectedBefore = bridge.stats.rejected;
    await sleep(300);
    pg.up();
    const done = await until(jobId, ended);
    // The bridge waited for the database rather than dropping what arrived meanwhile.
    expect(bridge.stats.waits).toBeGreaterThan(0);
    expect(bridge.stats.rejected).toBe(rejectedBefore);
    expect(done).toMatchObject({ status: 'succeeded', execution: { status: 'SUCCEEDED' } });
    await until(jobId, (j) => j.events.length >= emittedFor(jobId).length);
    expect((await job(jobId)).events.map(keyOf).sort()).toEqual(emittedFor(jobId));
  });

  test('the broker restarts mid-job: no event lost or duplicated', async () => {
    const jobId = await submit('hold');
    await until(jobId, (j) => j.status === 'running' && j.stage === 'Ingest');
    await broker.down();
    writeFileSync(join(dir, `gate-${jobId}`), '');
    const arn = (await engine.listExecutions()).find((e) => e.name === jobId)!.executionArn;
    expect((await engine.waitFor(arn)).status).toBe('SUCCEEDED');
    await broker.up();
    const done = await until(jobId, ended);
    expect(done.status).toBe('succeeded');
    await until(jobId, (j) => j.events.length >= emittedFor(jobId).length);
    await sleep(500);
    expect((await job(jobId)).events.map(keyOf).sort()).toEqual(emittedFor(jobId));
  });

  test('20 jobs submitted at once to the Hub all finish, every event stored once, memory bounded', async () => {
    const rss = process.memoryUsage().rss;
    const ids = await Promise.all(Array.from({ length: 20 }, () => submit('many')));
    const jobs = await Promise.all(ids.map((jobId) => until(jobId, ended)));
    expect(jobs.map((j) => j.status)).toEqual(ids.map(() => 'succeeded'));
    for (const jobId of ids) {
      await until(jobId, (j) => j.events.length >= emittedFor(jobId).length);
      expect((await job(jobId)).events.map(keyOf).sort()).toEqual(emittedFor(jobId));
    }
    expect(process.memoryUsage().rss - rss).toBeLessThan(200 * 1024 * 1024);
  });
});
