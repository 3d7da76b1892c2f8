import { join } from 'node:path';
import { AERIAL_PIPELINE, renderAsl } from '@aerial/definition';
import {
  childProcessRunner,
  ExecutionStore,
  inProcessFunctionRunner,
  LocalEngine,
  STAGE_HANDLERS,
} from '@aerial/pipeline';
import { childProcessEnv, type Logger } from '@aerial/runtime';
import { type WorkerConfig } from './worker-config';

/** The compiled container entrypoint beside this module. */
export const ENTRYPOINT = join(__dirname, 'entrypoint.js');

/**
 * The embedded engine as the CLI runs it: the same ASL CDK deploys, container stages as child
 * processes of the workers' entrypoint (which publish their own events, as on Batch and Argo),
 * function stages in this process.
 */
export function createLocalEngine(
  config: WorkerConfig,
  log: Logger,
  options: { concurrency?: number } = {},
): LocalEngine {
  const { store, uploads, published, environment, runtime } = config;
  // The children must use exactly these stores; their locations are absolute.
  const childConfig = {
    ...runtime,
    OBJECT_STORE: store.location,
    UPLOADS_STORE: uploads.location,
    PUBLISHED_STORE: published.location,
  };
  return new LocalEngine({
    definition: AERIAL_PIPELINE,
    asl: renderAsl(AERIAL_PIPELINE),
    store: new ExecutionStore(join(runtime.AERIAL_DATA_DIR, 'executions')),
    runFunction: inProcessFunctionRunner({
      store,
      uploads,
      published,
      environment,
      handlers: STAGE_HANDLERS,
      config: runtime,
      log,
    }),
    runContainer: childProcessRunner(
      () => ({ file: process.execPath, args: [ENTRYPOINT] }),
      childProcessEnv(childConfig),
    ),
    containerEvents: 'stage',
    concurrency: options.concurrency,
  });
}
