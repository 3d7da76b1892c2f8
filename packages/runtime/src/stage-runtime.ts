import {
  AerialError,
  type EnvironmentConfig,
  JobRequestSchema,
  type JobRequest,
  keys,
  loadRuntimeConfig,
  parseAtBoundary,
  type RuntimeConfig,
  type StageInvocation,
  StageInvocationSchema,
  type StageManifest,
  StageManifestSchema,
  type StageName,
  type StageOutput,
} from '@aerial/contracts';
import { type Logger } from 'pino';
import { silentLogger } from './logging/logger';
import { type EventPublisher } from './events/mqtt-event-publisher';
import { stageEvents } from './events/stage-events';
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
  /** Reports progress (0–100) of this stage: published as events, and told to the engine. */
  progress(percent: number, message?: string): void;
  readonly signal: AbortSignal;
  /** The process's configuration, loaded once at its start: stages read no environment. */
  readonly config: RuntimeConfig;
  readonly log: Logger;
  /** Where this process publishes events (MQTT_URL configured), for a stage's own announcements. */
  readonly events?: EventPublisher;
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
  /** The process's configuration. @default the defaults (no variables read) */
  readonly config?: RuntimeConfig;
  /** @default silent */
  readonly log?: Logger;
  /**
   * Publishes this run's stage.started / progress / succeeded / failed, as the process running the
   * stage (a stage container, on every engine). Not given where the engine reports the stage itself.
   */
  readonly events?: EventPublisher;
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
  const log = (options.log ?? silentLogger()).child({ jobId: invocation.jobId, stage: invocation.stage });
  const events = options.events && stageEvents(options.events, invocation, log, now);
  events?.started(invocation.attempt);
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
      progress: (percent, message) => {
        const clamped = Math.max(0, Math.min(100, percent));
        options.progress?.(clamped, message);
        events?.progress(clamped, message);
      },
      signal: options.signal ?? new AbortController().signal,
      config: options.config ?? loadRuntimeConfig({}),
      log,
      ...(options.events ? { events: options.events } : {}),
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
    events?.succeeded();
    return manifest;
  } catch (e) {
    // A dropped connection or a full disk is retried (Aerial.Transient), not reported as a bug.
    const error = classifyError(e);
    events?.failed(
      options.signal?.aborted ? { name: 'Aerial.Cancelled', reason: 'the stage was stopped' } : error.toJSON(),
    );
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
