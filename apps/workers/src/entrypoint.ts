#!/usr/bin/env node
import { AerialError, formatWorkerLine, StageNameSchema, TRANSIENT_EXIT_CODE } from '@aerial/contracts';
import { runStage, stageMetricLine } from '@aerial/runtime';
import { STAGE_HANDLERS } from '@aerial/pipeline';
import { loadWorkerConfig } from './worker-config';

/**
 * The entrypoint of every stage container (AWS Batch job, Argo pod, or local engine child). It
 * reads the job and stage from AERIAL_JOB_ID / AERIAL_STAGE (or `entrypoint <stage>`), runs the
 * stage, and exits 0, 75 for a transient failure (retried), or 1. Progress and the named error
 * go to stdout as `::aerial::` lines; the error is also written to the stage's `error.json`.
 */
/** In the cloud (AERIAL_METRICS=emf) every attempt also prints an embedded-metric-format line. */
function metric(stage: string, started: number, failed: boolean): void {
  if (process.env.AERIAL_METRICS !== 'emf') return;
  const line = stageMetricLine({
    stage,
    environment: process.env.AERIAL_ENV ?? 'dev',
    seconds: (Date.now() - started) / 1000,
    failed,
  });
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<number> {
  const started = Date.now();
  const controller = new AbortController();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => controller.abort());
  try {
    const stage = StageNameSchema.safeParse(process.argv[2] ?? process.env.AERIAL_STAGE);
    if (!stage.success)
      throw new AerialError(
        'Aerial.InvalidInput',
        `unknown stage ${JSON.stringify(process.argv[2] ?? process.env.AERIAL_STAGE)}`,
      );
    const { store, uploads, published, environment } = loadWorkerConfig();
    const attempt = process.env.AERIAL_STAGE_RETRIES
      ? Number(process.env.AERIAL_STAGE_RETRIES) + 1
      : Number(process.env.AWS_BATCH_JOB_ATTEMPT ?? process.env.AERIAL_STAGE_ATTEMPT ?? 1);
    // On Argo Workflows the first stage gets the request, and Notify the outcome, as variables
    // (Step Functions passes them in the payload instead).
    const request = process.env.AERIAL_REQUEST ? (JSON.parse(process.env.AERIAL_REQUEST) as unknown) : undefined;
    const outcome = process.env.AERIAL_OUTCOME
      ? /^succeeded$/i.test(process.env.AERIAL_OUTCOME)
        ? 'succeeded'
        : 'failed'
      : undefined;
    const manifest = await runStage(
      {
        jobId: process.env.AERIAL_JOB_ID,
        stage: stage.data,
        attempt,
        ...(request ? { request } : {}),
        ...(outcome ? { outcome } : {}),
        ...(outcome === 'failed'
          ? {
              failure: {
                Error: 'Argo.WorkflowFailed',
                Cause: process.env.AERIAL_FAILURE ?? process.env.AERIAL_OUTCOME,
              },
            }
          : {}),
      },
      {
        store,
        uploads,
        published,
        environment,
        handlers: STAGE_HANDLERS,
        signal: controller.signal,
        progress: (percent, message) =>
          process.stdout.write(`${formatWorkerLine({ type: 'progress', percent, ...(message ? { message } : {}) })}\n`),
      },
    );
    process.stdout.write(`${stage.data} finished: ${JSON.stringify(manifest.summary)}\n`);
    metric(stage.data, started, false);
    return 0;
  } catch (e) {
    const error = controller.signal.aborted
      ? new AerialError('Aerial.Cancelled', 'the stage was stopped')
      : AerialError.from(e);
    process.stdout.write(`${formatWorkerLine({ type: 'error', error: error.toJSON() })}\n`);
    process.stderr.write(`${error.name}: ${error.message}\n`);
    metric(String(process.argv[2] ?? process.env.AERIAL_STAGE), started, true);
    return error.transient ? TRANSIENT_EXIT_CODE : 1;
  }
}

void main().then((code) => process.exit(code));
