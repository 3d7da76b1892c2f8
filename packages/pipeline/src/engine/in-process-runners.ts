import {
  AerialError,
  type EnvironmentConfig,
  type RuntimeConfig,
  type StageName,
  TRANSIENT_EXIT_CODE,
} from '@aerial/contracts';
import { type Logger, type ObjectStore } from '@aerial/runtime';
import { runStage, type StageHandler } from '@aerial/runtime';
import { type FunctionRunner } from './local-engine';
import { type ContainerRunner } from './stage-process';

export interface InProcessOptions {
  readonly store: ObjectStore;
  readonly uploads?: ObjectStore;
  readonly published?: ObjectStore;
  readonly environment: EnvironmentConfig;
  readonly handlers: Partial<Record<StageName, StageHandler>>;
  /** The engine process's configuration, given to the stages. @default the defaults */
  readonly config?: RuntimeConfig;
  readonly log?: Logger;
}

/** Function (Lambda) stages run in the engine's process; their summary is the Lambda payload. */
export function inProcessFunctionRunner(options: InProcessOptions): FunctionRunner {
  return async (stage, payload, signal) => {
    const manifest = await runStage({ ...payload, stage }, { ...options, signal });
    return manifest.summary;
  };
}

/**
 * Container stages run in the engine's process with a container's exit-code contract. For tests
 * and tools; the CLI runs the real entrypoints as child processes.
 */
export function inProcessContainerRunner(options: InProcessOptions): ContainerRunner {
  return async (run) => {
    try {
      await runStage(
        {
          jobId: run.environment.AERIAL_JOB_ID,
          stage: run.stage,
          attempt: Number(run.environment.AERIAL_STAGE_ATTEMPT ?? 1),
        },
        { ...options, signal: run.signal, progress: run.onProgress },
      );
      return { exitCode: 0, signal: null, stderrTail: '' };
    } catch (e) {
      const error = AerialError.from(e);
      return {
        exitCode: error.transient ? TRANSIENT_EXIT_CODE : 1,
        signal: null,
        error: error.toJSON(),
        stderrTail: error.message,
      };
    }
  };
}
