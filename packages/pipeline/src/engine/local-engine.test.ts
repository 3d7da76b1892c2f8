import {
  AerialError,
  DEFAULT_ENVIRONMENTS,
  type JobRequestInput,
  type JobStatus,
  keys,
  loadRuntimeConfig,
  nextJobStatus,
  type PipelineEvent,
  type StageName,
  STAGE_NAMES,
} from '@aerial/contracts';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderAsl } from '@aerial/definition';
import { AERIAL_PIPELINE } from '@aerial/definition';
import { LocalFolderStore, silentLogger } from '@aerial/runtime';
import { getJson } from '@aerial/runtime';
import { guardBudgetStage } from '@aerial/function-stages';
import { ingestStage } from '../stages/ingest/ingest-stage';
import { createDeliver, localDeliveryServices } from '@aerial/function-stages';
import { notifyStage } from '@aerial/function-stages';
import { type StageHandler } from '@aerial/runtime';
import { EXAMPLE_SUMMARIES } from '../testing/example-summaries';
import { inProcessEngine } from '../testing/in-process-engine';
import { ExecutionStore } from './execution-store';
import { publishEngineEvents } from './engine-events';
import { type LocalEngine } from './local-engine';
import { type ContainerRunner } from './stage-process';

const environment = DEFAULT_ENVIRONMENTS.dev;
const asl = renderAsl(AERIAL_PIPELINE);

/** A stage that records its runs and succeeds. */
const passing =
  (runs: StageName[]): StageHandler =>
  async (invocation) => {
    runs.push(invocation.stage);
    return { outputs: [], summary: { ...EXAMPLE_SUMMARIES[invocation.stage], ran: invocation.stage } };
  };

describe('LocalEngine', () => {
  let dir: string;
  let store: LocalFolderStore;
  let runs: StageName[];
  let events: PipelineEvent[];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'aerial-engine-'));
    store = new LocalFolderStore(join(dir, 'objects'));
    runs = [];
    events = [];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function engineWith(
    overrides: Partial<Record<StageName, StageHandler>>,
    options: { concurrency?: number; runContainer?: ContainerRunner } = {},
  ) {
    const handlers: Partial<Record<StageName, StageHandler>> = { Notify: notifyStage() };
    for (const stage of STAGE_NAMES) if (stage !== 'Notify') handlers[stage] = passing(runs);
    Object.assign(handlers, overrides);
    const engine = inProcessEngine({
      executions: join(dir, 'executions'),
      store,
      handlers,
      environment,
      asl,
      ...(options.runContainer ? { runContainer: options.runContainer } : {}),
      ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
      retryDelayScale: 0.001,
      stopPollMs: 20,
    });
    engine.on('event', (e) => events.push(e));
    return engine;
  }

  async function start(
    engine: LocalEngine,
    jobId: string,
    request: JobRequestInput = { source: { kind: 'folder', path: dir } },
  ) {
    const { executionArn } = await engine.startExecution({ input: { jobId, request } });
    return executionArn;
  }

  test('GIVEN a survey job WHEN it runs THEN the survey stages run in order and Notify reports success', async () => {
    const engine = engineWith({});
    const record = await engine.waitFor(
      await start(engine, 'job-ok', { source: { kind: 'folder', path: dir }, preset: 'survey' }),
    );
    expect(record.status).toBe('SUCCEEDED');
    expect(runs).toEqual(['GuardBudget', 'Ingest', 'Footprints']);
    expect(await getJson(store, `${keys.stage('job-ok', 'Notify')}/notification.json`)).toMatchObject({
      outcome: 'succeeded',
    });
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['job.started', 'stage.started', 'stage.succeeded', 'job.succeeded']),
    );
    expect(record.history[0]!.type).toBe('ExecutionStarted');
    expect(record.history.at(-1)!.type).toBe('ExecutionSucceeded');
  });

  test('GIVEN stage processes that publish their own events WHEN a job runs THEN the engine publishes each event once', async () => {
    const engine = inProcessEngine({
      executions: join(dir, 'executions'),
      store,
      handlers: { Notify: notifyStage(), GuardBudget: passing(runs) },
      environment,
      asl,
      // A stand-in stage process: it reports progress on its protocol lines and succeeds.
      runContainer: async (run) => {
        runs.push(run.stage);
        run.onProgress(50, 'half way');
        return { exitCode: 0, signal: null, stderrTail: '' };
      },
      containerEvents: 'stage',
      retryDelayScale: 0.001,
    });
    const emitted: { event: PipelineEvent; origin: string }[] = [];
    engine.on('event', (event, origin) => emitted.push({ event, origin }));
    const published: PipelineEvent[] = [];
    const publisher = {
      broker: 'test',
      publish: (event: PipelineEvent) => (published.push(event), Promise.resolve()),
      announce: () => Promise.resolve(),
      publishRetained: () => Promise.resolve(),
      close: () => Promise.resolve(),
    };
    publishEngineEvents(engine, publisher, silentLogger());
    const record = await engine.waitFor(
      await start(engine, 'job-own-events', { source: { kind: 'folder', path: dir }, preset: 'survey' }),
    );
    expect(record.status).toBe('SUCCEEDED');
    // Everyone in this process still hears every event (the CLI's progress display).
    expect(emitted).toContainEqual({
      event: expect.objectContaining({ type: 'stage.progress', stage: 'Ingest' }),
      origin: 'stage',
    });
    const stagesPublished = new Set(published.flatMap((e) => ('stage' in e && e.stage ? [e.stage] : [])));
    // Ingest and Footprints ran as processes that published their own: the engine sent none of theirs.
    expect(stagesPublished).toEqual(new Set(['GuardBudget', 'Notify']));
    expect(published[0]!.type).toBe('job.started');
    expect(published.at(-1)!.type).toBe('job.succeeded');
  });

  test('full runs both product branches in parallel, within the concurrency limit', async () => {
    let running = 0;
    let peak = 0;
    const slow: StageHandler = async (invocation) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 30));
      running--;
      runs.push(invocation.stage);
      return { outputs: [], summary: EXAMPLE_SUMMARIES[invocation.stage] };
    };
    const engine = engineWith(
      { Orthomosaic: slow, Tiles: slow, SfM: slow, Splat: slow, Compress: slow },
      { concurrency: 1 },
    );
    const record = await engine.waitFor(
      await start(engine, 'job-3d', { source: { kind: 'folder', path: dir }, preset: 'full' }),
    );
    expect(record.status).toBe('SUCCEEDED');
    expect(runs).toEqual(
      expect.arrayContaining(['Orthomosaic', 'Tiles', 'SfM', 'Splat', 'Compress', 'Metadata', 'Publish']),
    );
    expect(peak).toBe(1);
  });

  test('a container stage that fails transiently once is retried and the job succeeds', async () => {
    let attempts = 0;
    const flaky: StageHandler = async () => {
      attempts++;
      if (attempts === 1) throw new AerialError('Aerial.Transient', 'object store unreachable');
      return { outputs: [], summary: EXAMPLE_SUMMARIES.Ingest };
    };
    const engine = engineWith({ Ingest: flaky });
    const record = await engine.waitFor(await start(engine, 'job-flaky'));
    expect(record.status).toBe('SUCCEEDED');
    expect(attempts).toBe(2);
    expect(events).toContainEqual(expect.objectContaining({ type: 'stage.started', stage: 'Ingest', attempt: 2 }));
  });

  test('a function stage that fails transiently once is retried by the state machine', async () => {
    let attempts = 0;
    const flaky: StageHandler = async () => {
      if (++attempts === 1) throw new AerialError('Aerial.Transient', 'throttled');
      return { outputs: [], summary: EXAMPLE_SUMMARIES.GuardBudget };
    };
    const engine = engineWith({ GuardBudget: flaky });
    expect((await engine.waitFor(await start(engine, 'job-fn-flaky'))).status).toBe('SUCCEEDED');
    expect(attempts).toBe(2);
  });

  test('a stage that always fails: job FAILED with the named error and reason, Notify ran, nothing published', async () => {
    const rejecting: StageHandler = async () => {
      throw new AerialError('Aerial.QualityRejected', 'only 1 of 18 images passed quality checks');
    };
    const engine = engineWith({ Ingest: rejecting });
    const record = await engine.waitFor(
      await start(engine, 'job-bad', { source: { kind: 'folder', path: dir }, preset: 'map' }),
    );
    expect(record).toMatchObject({
      status: 'FAILED',
      error: 'Aerial.QualityRejected',
      cause: 'only 1 of 18 images passed quality checks',
    });
    expect(await getJson(store, keys.failure('job-bad'))).toMatchObject({
      name: 'Aerial.QualityRejected',
      stage: 'Ingest',
    });
    expect(await getJson(store, `${keys.stage('job-bad', 'Notify')}/notification.json`)).toMatchObject({
      outcome: 'failed',
    });
    expect(runs).not.toContain('Publish');
    expect(await store.head(keys.manifest('job-bad', 'Publish'))).toBeUndefined();
    expect(events.at(-1)).toMatchObject({ type: 'job.failed', error: { name: 'Aerial.QualityRejected' } });
  });

  test('a job whose Ingest rejects every file is reported failed in Ingest, not in Notify, with the named error', async () => {
    const photos = join(dir, 'photos');
    mkdirSync(photos);
    writeFileSync(join(photos, 'notes.txt'), 'not a photo');
    // MQTT_URL= (empty) as a .env file leaves it: unset, so the MQTT target is skipped, not fatal.
    const config = loadRuntimeConfig({ MQTT_URL: '' });
    const engine = engineWith({
      Ingest: ingestStage,
      Notify: notifyStage(createDeliver(localDeliveryServices(config))),
    });
    const record = await engine.waitFor(
      await start(engine, 'job-no-photos', {
        source: { kind: 'folder', path: photos },
        preset: 'map',
        notify: [{ kind: 'mqtt' }],
      }),
    );
    expect(record).toMatchObject({ status: 'FAILED', error: 'Aerial.QualityRejected' });
    expect(await getJson(store, `${keys.stage('job-no-photos', 'Notify')}/notification.json`)).toMatchObject({
      outcome: 'failed',
      error: { name: 'Aerial.QualityRejected', stage: 'Ingest' },
      deliveries: [{ target: 'mqtt', status: 'skipped' }],
      delivered: false,
    });
    // The job's status (the Hub's and the retained MQTT one) names the stage of its last stage event.
    let status: JobStatus | undefined;
    for (const event of events) status = nextJobStatus(status, event);
    expect(status).toMatchObject({ state: 'failed', stage: 'Ingest', error: { name: 'Aerial.QualityRejected' } });
    expect(events).not.toContainEqual(expect.objectContaining({ type: 'stage.succeeded', stage: 'Ingest' }));
  });

  test('a transient failure that never clears fails the job after every attempt', async () => {
    let attempts = 0;
    const down: StageHandler = async () => {
      attempts++;
      throw new AerialError('Aerial.Transient', 'still down');
    };
    const engine = engineWith({ Footprints: down });
    const record = await engine.waitFor(await start(engine, 'job-down'));
    expect(record).toMatchObject({ status: 'FAILED', error: 'Aerial.Transient' });
    expect(attempts).toBe(AERIAL_PIPELINE.stages.find((s) => s.name === 'Footprints')!.retry.attempts);
  });

  test('a function stage failure is caught too: GuardBudget refuses a preset this build lacks', async () => {
    const handlers = { GuardBudget: guardBudgetStage, Notify: notifyStage() };
    const engine = inProcessEngine({ executions: join(dir, 'executions'), store, handlers, environment, asl });
    const record = await engine.waitFor(
      await start(engine, 'job-preset', { source: { kind: 'folder', path: dir }, preset: 'map' }),
    );
    expect(record.status).toBe('FAILED');
    expect(record.error).toBe('Aerial.InvalidInput');
    expect(record.cause).toMatch(/preset "map" needs Ingest, Footprints, Orthomosaic/);
  });

  test('stopping a job kills its running stage and starts nothing further', async () => {
    let started!: () => void;
    const isRunning = new Promise<void>((r) => (started = r));
    const runContainer: ContainerRunner = (run) =>
      new Promise((resolve) => {
        runs.push(run.stage);
        started();
        run.signal.addEventListener('abort', () => resolve({ exitCode: null, signal: 'SIGTERM', stderrTail: '' }));
      });
    const engine = engineWith({}, { runContainer });
    const arn = await start(engine, 'job-stop');
    await isRunning;
    await engine.stopExecution(arn, { cause: 'user cancelled' });
    const record = await engine.waitFor(arn);
    expect(record).toMatchObject({ status: 'ABORTED', cause: 'user cancelled' });
    expect(runs).toEqual(['GuardBudget', 'Ingest']);
    expect(events.at(-1)).toMatchObject({ type: 'job.cancelled' });
  });

  test('a stop request from another process stops the execution', async () => {
    const runContainer: ContainerRunner = (run) =>
      new Promise((resolve) =>
        run.signal.addEventListener('abort', () => resolve({ exitCode: null, signal: 'SIGTERM', stderrTail: '' })),
      );
    const engine = engineWith({}, { runContainer });
    const arn = await start(engine, 'job-remote-stop');
    await new ExecutionStore(join(dir, 'executions')).requestStop('job-remote-stop', { cause: 'from the CLI' });
    expect(await engine.waitFor(arn)).toMatchObject({ status: 'ABORTED', cause: 'from the CLI' });
  });

  test('GIVEN a stopped job WHEN it is redriven THEN it runs again from the stage it was stopped in and Notify reports the new outcome', async () => {
    let started!: () => void;
    let first = true;
    const isRunning = new Promise<void>((r) => (started = r));
    const runContainer: ContainerRunner = (run) =>
      new Promise((resolve) => {
        runs.push(run.stage);
        if (run.stage === 'Ingest' && first) {
          first = false;
          started();
          run.signal.addEventListener('abort', () => resolve({ exitCode: null, signal: 'SIGTERM', stderrTail: '' }));
        } else resolve({ exitCode: 0, signal: null, stderrTail: '' });
      });
    const engine = engineWith({}, { runContainer });
    const arn = await start(engine, 'job-redrive', { source: { kind: 'folder', path: dir }, preset: 'survey' });
    await isRunning;
    await engine.stopExecution(arn, { cause: 'user cancelled' });
    expect(await engine.waitFor(arn)).toMatchObject({ status: 'ABORTED' });
    expect(await getJson(store, `${keys.stage('job-redrive', 'Notify')}/notification.json`)).toMatchObject({
      outcome: 'failed',
    });
    events.length = 0;
    runs.length = 0;

    await engine.redriveExecution(arn);
    const record = await engine.waitFor(arn);
    expect(record).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
    expect(record.error).toBeUndefined();
    // GuardBudget finished before the stop: not run again.
    expect(runs).toEqual(['Ingest', 'Footprints']);
    expect(events.map((e) => e.type)).not.toContain('job.started');
    expect(events.filter((e) => e.type === 'stage.started').map((e) => 'stage' in e && e.stage)).toEqual([
      'Ingest',
      'Footprints',
      'Notify',
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'job.succeeded', at: record.stopDate });
    expect(await getJson(store, `${keys.stage('job-redrive', 'Notify')}/notification.json`)).toMatchObject({
      outcome: 'succeeded',
    });
    expect(record.history.filter((e) => e.type === 'ExecutionStarted')).toHaveLength(1);
    expect(record.history.map((e) => e.type)).toContain('ExecutionRedriven');
    await expect(engine.redriveExecution(arn)).rejects.toThrow(/is SUCCEEDED: only a FAILED, TIMED_OUT or ABORTED/);
  });

  test('refuses an invalid execution input and a duplicate name', async () => {
    const engine = engineWith({});
    await expect(engine.startExecution({ input: { jobId: 'Bad Id', request: {} } })).rejects.toThrow(
      /invalid execution input: jobId/,
    );
    await engine.waitFor(await start(engine, 'job-dup'));
    await expect(start(engine, 'job-dup')).rejects.toThrow(/already exists/);
  });
});
