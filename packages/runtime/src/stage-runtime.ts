import {
  AerialError,
  type EnvironmentConfig,
  JobRequestSchema,
  type JobRequest,
  keys,
  parseAtBoundary,
  type StageInvocation,
  StageInvocationSchema,
  type StageManifest,
  StageManifestSchema,
  type StageName,
  type StageOutput,
} from '@aerial/contracts';
import { getJson, type ObjectStore, putJson } from './object-store/object-store';
import { classifyError } from './object-store/transient-errors';
import { checkStageResult } from './stage-contract';

/** What a stage implementation is given besides its invocation. */
export interface StageContext {
  readonly store: ObjectStore;
  /** Where `prefix` dataset sources (uploads) are read from. */
  readonly uploads: ObjectStore;
  /** Where Publish writes the products readers are served (the published bucket in the cloud). */
  readonly published: ObjectStore;
  readonly environment: EnvironmentConfig;
  readonly request: JobRequest;
  /** Stages this build can run; GuardBudget refuses presets that need others. */
  readonly availableStages: readonly StageName[];
  /** Reports progress (0–100) of this stage; the engine turns it into events. */
  progress(percent: number, message?: string): void;
  readonly signal: AbortSignal;
}

/** What a stage implementation returns: the objects it wrote and a small summary. */
export interface StageResult {
  readonly outputs: StageOutput[];
  readonly summary: Record<string, unknown>;
}

export type StageHandler = (invocation: StageInvocation, context: StageContext) => Promise<StageResult>;

export interface RunStageOptions {
  readonly store: ObjectStore;
  /** Store of uploaded datasets. @default store */
  readonly uploads?: ObjectStore;
  /** Store of published products. @default store */
  readonly published?: ObjectStore;
  readonly environment: EnvironmentConfig;
  readonly handlers: Partial<Record<StageName, StageHandler>>;
  readonly progress?: (percent: number, message?: string) => void;
  readonly signal?: AbortSignal;
  readonly now?: () => Date;
}

/**
 * Runs one stage the same way on every engine: validate the invocation, read the job request,
 * run the handler, write `manifest.json` (or `error.json` on failure, so the failure is named
 * even where the orchestrator only sees "task failed"). Re-running overwrites the same keys.
 */
export async function runStage(rawInvocation: unknown, options: RunStageOptions): Promise<StageManifest> {
  const invocation = parseAtBoundary(StageInvocationSchema, rawInvocation, 'stage invocation');
  const now = options.now ?? (() => new Date());
  const startedAt = now().toISOString();
  const { store } = options;
  try {
    const handler = options.handlers[invocation.stage];
    if (!handler) {
      throw new AerialError(
        'Aerial.InvalidInput',
        `stage ${invocation.stage} is not available in this build`,
        'choose a preset whose stages are all available',
      );
    }
    if (invocation.request) await putJson(store, keys.request(invocation.jobId), invocation.request);
    const request = await readRequest(store, invocation.jobId);
    await store.delete(keys.stageError(invocation.jobId, invocation.stage));
    const result = await handler(invocation, {
      store,
      uploads: options.uploads ?? store,
      published: options.published ?? store,
      environment: options.environment,
      request,
      availableStages: Object.keys(options.handlers) as StageName[],
      progress: (percent, message) => options.progress?.(Math.max(0, Math.min(100, percent)), message),
      signal: options.signal ?? new AbortController().signal,
    });
    const manifest: StageManifest = {
      jobId: invocation.jobId,
      stage: invocation.stage,
      startedAt,
      finishedAt: now().toISOString(),
      outputs: result.outputs,
      // A result that strays from the stage's I/O declaration fails the stage (Aerial.Internal).
      summary: checkStageResult(invocation.stage, result),
    };
    await putJson(store, keys.manifest(invocation.jobId, invocation.stage), manifest);
    return manifest;
  } catch (e) {
    // A dropped connection or a full disk is retried (Aerial.Transient), not reported as a bug.
    const error = classifyError(e);
    await putJson(store, keys.stageError(invocation.jobId, invocation.stage), {
      ...error.toJSON(),
      stage: invocation.stage,
      attempt: invocation.attempt,
      at: now().toISOString(),
    }).catch(() => undefined);
    throw error;
  }
}

export async function readRequest(store: ObjectStore, jobId: string): Promise<JobRequest> {
  const head = await store.head(keys.request(jobId));
  if (!head)
    throw new AerialError(
      'Aerial.InvalidInput',
      `job ${jobId} has no request at ${keys.request(jobId)}`,
      'start jobs through the CLI, the Hub or the API',
    );
  return parseAtBoundary(JobRequestSchema, await getJson(store, keys.request(jobId)), 'job request');
}

/** Reads and validates another stage's manifest. */
export async function readManifest(store: ObjectStore, jobId: string, stage: StageName): Promise<StageManifest> {
  const key = keys.manifest(jobId, stage);
  if (!(await store.head(key))) {
    throw new AerialError(
      'Aerial.InvalidInput',
      `stage ${stage} has not run for job ${jobId} (no ${key})`,
      `run ${stage} first`,
    );
  }
  return parseAtBoundary(StageManifestSchema, await getJson(store, key), `${stage} manifest`);
}

/** The key of the output with `role` in a manifest. */
export function outputKey(manifest: StageManifest, role: string): string {
  const output = manifest.outputs.find((o) => o.role === role);
  if (!output) throw new AerialError('Aerial.InvalidInput', `${manifest.stage} manifest has no "${role}" output`);
  return output.key;
}
