import {
  DEFAULT_ENVIRONMENTS,
  type EnvironmentConfig,
  type JobRequestInput,
  type JobStatus,
  keys,
  nextJobStatus,
  type PipelineEvent,
  type StageName,
} from '@aerial/contracts';
import { AERIAL_PIPELINE, type AslDocument, renderAsl } from '@aerial/definition';
import {
  childProcessRunner,
  type ContainerRunner,
  inProcessContainerRunner,
  type LocalEngine,
  SfnApiServer,
} from '@aerial/pipeline';
import { getJson, LocalFolderStore, type StageHandler } from '@aerial/runtime';
import { guardBudgetStage } from '@aerial/function-stages';
import { fakeStages, type FaultPlan } from '@aerial/pipeline/testing';
import { inProcessEngine } from '@aerial/pipeline/testing';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const environment = DEFAULT_ENVIRONMENTS.dev;
const asl = renderAsl(AERIAL_PIPELINE);
const retryOf = (stage: StageName) => AERIAL_PIPELINE.stages.find((s) => s.name === stage)!.retry;
/** Retry waits at 1/100 of the deployed ones: Ingest's first 2 s wait becomes 20 ms. */
const RETRY_SCALE = 0.01;

interface Setup {
  plan?: FaultPlan;
  handlers?: Partial<Record<StageName, StageHandler>>;
  runContainer?: ContainerRunner;
  asl?: AslDocument;
  environment?: EnvironmentConfig;
  timeoutScale?: number;
  concurrency?: number;
}

/**
 * The fault suite on the local engine: the deployed ASL, the real stage runner, Notify and object
 * store, with small fake stages (test-only) that fail the way real code does. Each test says
 * what must hold after the fault.
 */
describe('faults: the local engine', () => {
  let dir: string;
  let store: LocalFolderStore;
  let events: PipelineEvent[];
  let started: string[];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'aerial-faults-'));
    store = new LocalFolderStore(join(dir, 'objects'));
    events = [];
    started = [];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function engineWith(setup: Setup = {}): LocalEngine {
    const handlers = {
      ...fakeStages({ plan: setup.plan, onStart: (jobId, stage) => started.push(`${jobId} ${stage}`) }),
      ...setup.handlers,
    };
    const engine = inProcessEngine({
      executions: join(dir, 'executions'),
      store,
      handlers,
      environment: setup.environment ?? environment,
      asl: setup.asl ?? asl,
      ...(setup.runContainer ? { runContainer: setup.runContainer } : {}),
      retryDelayScale: RETRY_SCALE,
      stopPollMs: 20,
      ...(setup.timeoutScale ? { timeoutScale: setup.timeoutScale } : {}),
      ...(setup.concurrency ? { concurrency: setup.concurrency } : {}),
    });
    engine.on('event', (e) => events.push(e));
    return engine;
  }

  const photos = () => {
    const folder = join(dir, 'photos');
    mkdirSync(folder, { recursive: true });
    for (let i = 0; i < 5; i++) writeFileSync(join(folder, `IMG_${i}.JPG`), Buffer.alloc(2048, i));
    return folder;
  };
  const start = async (engine: LocalEngine, jobId: string, request: Partial<JobRequestInput> = {}) =>
    (
      await engine.startExecution({
        input: { jobId, request: { source: { kind: 'folder', path: photos() }, ...request } },
      })
    ).executionArn;
  const statusOf = (jobId: string): JobStatus | undefined =>
    events.filter((e) => e.jobId === jobId).reduce<JobStatus | undefined>((s, e) => nextJobStatus(s, e), undefined);
  const notification = (jobId: string) =>
    getJson(store, `${keys.stage(jobId, 'Notify')}/notification.json`) as Promise<Record<string, unknown>>;
  const ran = (jobId: string, stage: StageName) => started.filter((s) => s === `${jobId} ${stage}`).length;

  /** GetExecutionHistory through the Step Functions API the Hub and CLI use. */
  async function history(engine: LocalEngine, executionArn: string): Promise<Record<string, unknown>[]> {
    const server = new SfnApiServer(engine);
    const endpoint = await server.listen();
    try {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': 'AWSStepFunctions.GetExecutionHistory',
        },
        body: JSON.stringify({ executionArn, maxResults: 1000 }),
      });
      return ((await response.json()) as { events: Record<string, unknown>[] }).events;
    } finally {
      await server.close();
    }
  }

  test('a transient failure once (a dropped connection, a timed-out call) is retried with backoff; the job succeeds; the retry is in the history and the events', async () => {
    const engine = engineWith({
      plan: { GuardBudget: { error: 'ETIMEDOUT', times: 1 }, Ingest: { error: 'ECONNRESET', times: 1 } },
    });
    const arn = await start(engine, 'job-transient');
    const record = await engine.waitFor(arn);
    expect(record.status).toBe('SUCCEEDED');
    expect(ran('job-transient', 'Ingest')).toBe(2);
    expect(ran('job-transient', 'GuardBudget')).toBe(2);

    // Classified where it happened: a raw ECONNRESET became Aerial.Transient (exit code 75).
    const failed = events.find((e) => e.type === 'stage.failed' && e.stage === 'Ingest');
    expect(failed).toMatchObject({ error: { name: 'Aerial.Transient', reason: expect.stringMatching(/ECONNRESET/) } });
    const retried = events.find((e) => e.type === 'stage.started' && e.stage === 'Ingest' && e.attempt === 2);
    expect(retried).toBeDefined();
    // Backoff: the retry waited the stage's first interval (scaled).
    expect(Date.parse(retried!.at) - Date.parse(failed!.at)).toBeGreaterThanOrEqual(
      retryOf('Ingest').intervalSeconds * 1000 * RETRY_SCALE - 2,
    );

    const events_ = await history(engine, arn);
    const ingest = events_.find(
      (e) => e.type === 'TaskSucceeded' && String(JSON.stringify(e)).includes('job-transient-Ingest'),
    ) as { taskSucceededEventDetails: { output: string } } | undefined;
    expect(JSON.parse(ingest!.taskSucceededEventDetails.output)).toMatchObject({
      Status: 'SUCCEEDED',
      Attempts: [{ statusReason: expect.stringMatching(/Aerial.Transient.*ECONNRESET/) }, { exitCode: 0 }],
    });
    // The function stage's retry by the state machine's Retry rule: failed, then scheduled again.
    expect(events_.map((e) => e.type)).toEqual(expect.arrayContaining(['TaskFailed', 'TaskScheduled']));
    expect(statusOf('job-transient')).toMatchObject({ state: 'succeeded' });
  });

  test('a killed stage process (SIGKILL) is retried and the job succeeds', async () => {
    // A stand-in container: the first attempt of Ingest is killed, as the OOM killer would.
    const script = join(dir, 'container.js');
    writeFileSync(
      script,
      `if (process.env.AERIAL_STAGE === 'Ingest' && process.env.AERIAL_STAGE_ATTEMPT === '1') process.kill(process.pid, 'SIGKILL');
       else process.exit(0);`,
    );
    const engine = engineWith({
      runContainer: childProcessRunner(() => ({ file: process.execPath, args: [script] }), {}),
    });
    const record = await engine.waitFor(await start(engine, 'job-killed'));
    expect(record.status).toBe('SUCCEEDED');
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'stage.failed',
        stage: 'Ingest',
        error: expect.objectContaining({
          name: 'Aerial.Transient',
          reason: expect.stringMatching(/killed \(SIGKILL\)/),
        }),
      }),
    );
    expect(events).toContainEqual(expect.objectContaining({ type: 'stage.started', stage: 'Ingest', attempt: 2 }));
  });

  test('a permanent failure: FAILED with the named error and the stage that failed, not retried, Notify ran, nothing published', async () => {
    const engine = engineWith({ plan: { Footprints: { error: 'Aerial.QualityRejected' } } });
    const record = await engine.waitFor(await start(engine, 'job-permanent'));
    expect(record).toMatchObject({ status: 'FAILED', error: 'Aerial.QualityRejected' });
    expect(ran('job-permanent', 'Footprints')).toBe(1);
    expect(events.at(-1)).toMatchObject({
      type: 'job.failed',
      stage: 'Footprints',
      error: { name: 'Aerial.QualityRejected' },
    });
    expect(statusOf('job-permanent')).toMatchObject({ state: 'failed', stage: 'Footprints' });
    expect(await getJson(store, keys.failure('job-permanent'))).toMatchObject({
      name: 'Aerial.QualityRejected',
      stage: 'Footprints',
    });
    expect(await notification('job-permanent')).toMatchObject({ outcome: 'failed' });
    expect(await store.head(keys.manifest('job-permanent', 'Footprints'))).toBeUndefined();
    const published = [];
    for await (const object of store.list('published/')) published.push(object.key);
    expect(published).toEqual([]);
  });

  test('a permanent I/O error (EACCES) is Aerial.Internal and not retried', async () => {
    const engine = engineWith({ plan: { Ingest: { error: 'EACCES' } } });
    const record = await engine.waitFor(await start(engine, 'job-eacces'));
    expect(record).toMatchObject({ status: 'FAILED', error: 'Aerial.Internal' });
    expect(ran('job-eacces', 'Ingest')).toBe(1);
  });

  test('a stage exceeds its time limit: stopped, not retried, FAILED in that stage, Notify ran', async () => {
    // Footprints' 30 min limit at this scale is 0.5 s; it would run 20 s.
    const engine = engineWith({ plan: { Footprints: { hangMs: 20_000 } }, timeoutScale: 0.5 / (30 * 60) });
    const t0 = Date.now();
    const record = await engine.waitFor(await start(engine, 'job-slow-stage'));
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(record).toMatchObject({ status: 'FAILED', error: 'Aerial.Transient' });
    expect(record.cause).toMatch(/Footprints exceeded its 0.5 s time limit/);
    expect(ran('job-slow-stage', 'Footprints')).toBe(1);
    expect(events.at(-1)).toMatchObject({ type: 'job.failed', stage: 'Footprints' });
    expect(await notification('job-slow-stage')).toMatchObject({
      outcome: 'failed',
      error: { reason: expect.stringMatching(/time limit/) },
    });
  });

  test('the whole job exceeds its deadline: TIMED_OUT, its running stage stopped, Notify ran', async () => {
    const engine = engineWith({ plan: { Ingest: { hangMs: 30_000 } }, asl: { ...asl, TimeoutSeconds: 1 } });
    const t0 = Date.now();
    const record = await engine.waitFor(await start(engine, 'job-deadline'));
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(record).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });
    expect(record.history.map((h) => h.type)).toContain('ExecutionTimedOut');
    expect(events.at(-1)).toMatchObject({ type: 'job.failed', stage: 'Ingest', error: { name: 'Aerial.Transient' } });
    expect(await notification('job-deadline')).toMatchObject({
      outcome: 'failed',
      error: { reason: expect.stringMatching(/1 s limit/) },
    });
    expect(ran('job-deadline', 'Footprints')).toBe(0);
  });

  test('a cancelled job: ABORTED, cancelled in its stage, nothing further runs, Notify ran', async () => {
    const engine = engineWith({ plan: { Ingest: { waitForFile: join(dir, 'never') } } });
    const arn = await start(engine, 'job-cancel');
    while (!ran('job-cancel', 'Ingest')) await new Promise((r) => setTimeout(r, 10));
    await engine.stopExecution(arn, { cause: 'cancelled through the Hub' });
    const record = await engine.waitFor(arn);
    expect(record).toMatchObject({ status: 'ABORTED', cause: 'cancelled through the Hub' });
    expect(events.at(-1)).toMatchObject({ type: 'job.cancelled', stage: 'Ingest' });
    expect(statusOf('job-cancel')).toMatchObject({ state: 'cancelled', stage: 'Ingest' });
    expect(await notification('job-cancel')).toMatchObject({
      outcome: 'failed',
      // Sent once the stopped stage has ended: in that stage, with who stopped it.
      error: { name: 'Aerial.Cancelled', stage: 'Ingest', reason: 'cancelled through the Hub' },
    });
    expect(ran('job-cancel', 'Footprints')).toBe(0);
  });

  test('a budget exceeded is refused by GuardBudget before any compute stage runs, and Notify tells', async () => {
    const poor: EnvironmentConfig = {
      ...environment,
      budget: { ...environment.budget, monthlyUsd: 0.000001, maxJobUsd: 0.000001 },
    };
    const engine = engineWith({ handlers: { GuardBudget: guardBudgetStage }, environment: poor });
    const record = await engine.waitFor(await start(engine, 'job-budget', { preset: 'map' }));
    expect(record).toMatchObject({ status: 'FAILED', error: 'Aerial.BudgetExceeded' });
    expect(started).toEqual([]);
    expect(events.at(-1)).toMatchObject({ type: 'job.failed', stage: 'GuardBudget' });
    expect(await notification('job-budget')).toMatchObject({ outcome: 'failed' });
  });

  test('20 jobs submitted at once all finish; waiting jobs get container slots in the order they were submitted', async () => {
    // Ingest waits for a gate, so that while two jobs hold the two slots the rest queue up.
    const gate = join(dir, 'gate');
    const plan: FaultPlan = { Ingest: { waitForFile: gate }, Footprints: { hangMs: 10 } };
    // Slots as granted: the container runner is called the moment a task gets one.
    const granted: string[] = [];
    const runner = inProcessContainerRunner({ store, environment, handlers: fakeStages({ plan }) });
    const runContainer: ContainerRunner = (run) => {
      if (run.stage === 'Ingest') granted.push(run.environment.AERIAL_JOB_ID!);
      return runner(run);
    };
    const engine = engineWith({ plan, runContainer, concurrency: 2 });
    const ids = Array.from({ length: 20 }, (_, i) => `job-many-${String(i).padStart(2, '0')}`);
    const heapBefore = process.memoryUsage().heapUsed;
    const arns = await Promise.all(ids.map((id) => start(engine, id)));
    const queued = () => events.filter((e) => e.type === 'stage.started' && e.stage === 'Ingest').length;
    while (queued() < ids.length) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 100));
    writeFileSync(gate, '');
    const records = await Promise.all(arns.map((arn) => engine.waitFor(arn)));
    expect(records.map((r) => r.status)).toEqual(ids.map(() => 'SUCCEEDED'));
    const first = granted.slice(0, 2);
    expect(granted.slice(2)).toEqual(ids.filter((id) => !first.includes(id)));
    // Bounded: the engine keeps no per-job state once jobs end (generous: the GC is lazy).
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(100 * 1024 * 1024);
  });
});
