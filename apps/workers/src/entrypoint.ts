#!/usr/bin/env node
import {
  AerialError,
  formatWorkerLine,
  type RuntimeConfig,
  type StageInvocation,
  StageNameSchema,
  stageAttempt,
  type StageProcessEnv,
  TRANSIENT_EXIT_CODE,
} from '@aerial/contracts';
import {
  connectEventPublisher,
  createLogger,
  type EventPublisher,
  loadProcessConfig,
  type Logger,
  loadStageProcessEnv,
  runStage,
  stageMetricLine,
} from '@aerial/runtime';
import { STAGE_HANDLERS } from '@aerial/pipeline';
import { workerConfig } from './worker-config';

/**
 * The entrypoint of every stage container (AWS Batch job, Argo pod, or local engine child). It
 * reads the job and stage from AERIAL_JOB_ID / AERIAL_STAGE (or `entrypoint <stage>`), runs the
 * stage, and exits 0, 75 for a transient failure (retried), or 1. It publishes the stage's events
 * to MQTT_URL itself (so every engine's jobs show live); progress and the named error also go to
 * stdout as `::aerial::` lines for the local engine, and the error to the stage's `error.json`.
 */
async function main(): Promise<number> {
  const started = Date.now();
  const controller = new AbortController();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => controller.abort());
  let config: RuntimeConfig | undefined;
  let run: StageProcessEnv | undefined;
  let publisher: EventPublisher | undefined;
  let log: Logger | undefined;
  try {
    config = loadProcessConfig();
    log = createLogger({ name: 'stage', level: config.LOG_LEVEL });
    run = loadStageProcessEnv();
    const stage = StageNameSchema.safeParse(process.argv[2] ?? run.AERIAL_STAGE);
    if (!stage.success)
      throw new AerialError(
        'Aerial.InvalidInput',
        `unknown stage ${JSON.stringify(process.argv[2] ?? run.AERIAL_STAGE)}`,
      );
    const { store, uploads, published, environment } = workerConfig(config);
    // Events are how the job is watched, not part of its work: without a broker the stage still runs.
    publisher = await connectEventPublisher(config.MQTT_URL).catch((e: unknown) => {
      log?.warn({ err: e }, `no events: cannot reach the broker in MQTT_URL (${(e as Error).message})`);
      return undefined;
    });
    const manifest = await runStage(invocationOf(stage.data, run), {
      store,
      uploads,
      published,
      environment,
      config,
      log,
      ...(publisher ? { events: publisher } : {}),
      handlers: STAGE_HANDLERS,
      signal: controller.signal,
      progress: (percent, message) =>
        process.stdout.write(`${formatWorkerLine({ type: 'progress', percent, ...(message ? { message } : {}) })}\n`),
    });
    log.info({ stage: stage.data, summary: manifest.summary }, `${stage.data} finished`);
    metric(run, config, stage.data, started, false);
    return 0;
  } catch (e) {
    const error = controller.signal.aborted
      ? new AerialError('Aerial.Cancelled', 'the stage was stopped')
      : AerialError.from(e);
    process.stdout.write(`${formatWorkerLine({ type: 'error', error: error.toJSON() })}\n`);
    // A configuration that did not load has no level: the failure is logged at the default.
    (log ?? createLogger({ name: 'stage', level: 'info' })).error({ err: error }, `${error.name}: ${error.message}`);
    if (run && config) metric(run, config, String(process.argv[2] ?? run.AERIAL_STAGE), started, true);
    return error.transient ? TRANSIENT_EXIT_CODE : 1;
  } finally {
    // Every event sent before the process ends: the engine's next events must come after them.
    await publisher?.close().catch(() => undefined);
  }
}

/**
 * The run as the orchestrator gave it. On Argo Workflows the first stage gets the request, and
 * Notify the outcome, as variables (Step Functions passes them in the payload instead).
 */
function invocationOf(stage: StageInvocation['stage'], run: StageProcessEnv): unknown {
  const outcome = run.AERIAL_OUTCOME ? (/^succeeded$/i.test(run.AERIAL_OUTCOME) ? 'succeeded' : 'failed') : undefined;
  return {
    jobId: run.AERIAL_JOB_ID,
    stage,
    attempt: stageAttempt(run),
    ...(run.AERIAL_REQUEST !== undefined ? { request: run.AERIAL_REQUEST } : {}),
    ...(outcome ? { outcome } : {}),
    ...(outcome === 'failed'
      ? { failure: { Error: 'Argo.WorkflowFailed', Cause: run.AERIAL_FAILURE ?? run.AERIAL_OUTCOME } }
      : {}),
  };
}

/** In the cloud (AERIAL_METRICS=emf) every attempt also prints an embedded-metric-format line. */
function metric(run: StageProcessEnv, config: RuntimeConfig, stage: string, started: number, failed: boolean): void {
  if (run.AERIAL_METRICS !== 'emf') return;
  const line = stageMetricLine({
    stage,
    environment: config.AERIAL_ENV,
    seconds: (Date.now() - started) / 1000,
    failed,
  });
  process.stdout.write(`${line}\n`);
}

void main().then((code) => process.exit(code));
