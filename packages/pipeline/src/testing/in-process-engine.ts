import { DEFAULT_ENVIRONMENTS, type EnvironmentConfig, type StageName } from '@aerial/contracts';
import { type AslDocument, renderAsl } from '@aerial/definition';
import { AERIAL_PIPELINE } from '@aerial/definition';
import { ExecutionStore } from '../engine/execution-store';
import { inProcessContainerRunner, inProcessFunctionRunner } from '../engine/in-process-runners';
import { LocalEngine, type LocalEngineOptions } from '../engine/local-engine';
import { type ContainerRunner } from '../engine/stage-process';
import { type ObjectStore } from '@aerial/runtime';
import { type StageHandler } from '@aerial/runtime';

export interface InProcessEngineOptions extends Pick<
  LocalEngineOptions,
  'concurrency' | 'retryDelayScale' | 'stopPollMs' | 'timeoutScale' | 'containerEvents'
> {
  /** Folder of the execution records. */
  readonly executions: string;
  readonly store: ObjectStore;
  readonly handlers: Partial<Record<StageName, StageHandler>>;
  /** @default DEFAULT_ENVIRONMENTS.dev */
  readonly environment?: EnvironmentConfig;
  /** @default the deployed ASL of AERIAL_PIPELINE */
  readonly asl?: AslDocument;
  /** @default the handlers, run in this process with a container's exit-code contract */
  readonly runContainer?: ContainerRunner;
}

/**
 * The local engine on the deployed ASL with every stage run in this process: what the tests and
 * the test tools (the fault engine, the engine harness) drive jobs through. Test only.
 */
export function inProcessEngine(options: InProcessEngineOptions): LocalEngine {
  const { store, handlers } = options;
  const environment = options.environment ?? DEFAULT_ENVIRONMENTS.dev;
  return new LocalEngine({
    definition: AERIAL_PIPELINE,
    asl: options.asl ?? renderAsl(AERIAL_PIPELINE),
    store: new ExecutionStore(options.executions),
    runFunction: inProcessFunctionRunner({ store, environment, handlers }),
    runContainer: options.runContainer ?? inProcessContainerRunner({ store, environment, handlers }),
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    ...(options.retryDelayScale !== undefined ? { retryDelayScale: options.retryDelayScale } : {}),
    ...(options.stopPollMs !== undefined ? { stopPollMs: options.stopPollMs } : {}),
    ...(options.timeoutScale !== undefined ? { timeoutScale: options.timeoutScale } : {}),
    ...(options.containerEvents !== undefined ? { containerEvents: options.containerEvents } : {}),
  });
}
