import { join } from 'node:path';
import { AERIAL_PIPELINE, renderAsl } from '@aerial/definition';
import {
  childProcessRunner,
  ExecutionStore,
  inProcessFunctionRunner,
  LocalEngine,
  STAGE_HANDLERS,
} from '@aerial/pipeline';
import { type WorkerConfig } from './worker-config';

/** The compiled container entrypoint beside this module. */
export const ENTRYPOINT = join(__dirname, 'entrypoint.js');

/**
 * The embedded engine as the CLI runs it: the same ASL CDK deploys, container stages as child
 * processes of the workers' entrypoint, function stages in this process.
 */
export function createLocalEngine(config: WorkerConfig, options: { concurrency?: number } = {}): LocalEngine {
  const { store, uploads, published, environment, runtime } = config;
  return new LocalEngine({
    definition: AERIAL_PIPELINE,
    asl: renderAsl(AERIAL_PIPELINE),
    store: new ExecutionStore(join(runtime.AERIAL_DATA_DIR, 'executions')),
    runFunction: inProcessFunctionRunner({ store, uploads, published, environment, handlers: STAGE_HANDLERS }),
    runContainer: childProcessRunner(() => ({ file: process.execPath, args: [ENTRYPOINT] }), {
      ...process.env,
      AERIAL_DATA_DIR: runtime.AERIAL_DATA_DIR,
      AERIAL_ENV: runtime.AERIAL_ENV,
      // The children must use exactly this store; its location is absolute.
      OBJECT_STORE: store.location,
      UPLOADS_STORE: uploads.location,
      PUBLISHED_STORE: published.location,
    }),
    concurrency: options.concurrency,
  });
}
