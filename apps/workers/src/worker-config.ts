import { DEFAULT_ENVIRONMENTS, type EnvironmentConfig, type RuntimeConfig } from '@aerial/contracts';
import { createObjectStore, loadProcessConfig, type ObjectStore } from '@aerial/runtime';

/** What a worker process needs, from its environment variables (validated, with safe defaults). */
export interface WorkerConfig {
  readonly runtime: RuntimeConfig;
  readonly environment: EnvironmentConfig;
  readonly store: ObjectStore;
  readonly uploads: ObjectStore;
  /** Where Publish writes (PUBLISHED_STORE; the work store by default). */
  readonly published: ObjectStore;
}

/** The stores and environment `runtime` names. */
export function workerConfig(runtime: RuntimeConfig): WorkerConfig {
  const store = createObjectStore(runtime);
  const uploads = runtime.UPLOADS_STORE ? createObjectStore(runtime, runtime.UPLOADS_STORE) : store;
  const published = runtime.PUBLISHED_STORE ? createObjectStore(runtime, runtime.PUBLISHED_STORE) : store;
  return { runtime, environment: DEFAULT_ENVIRONMENTS[runtime.AERIAL_ENV], store, uploads, published };
}

/** The worker configuration from `env` (the process's variables by default, read by the loader). */
export function loadWorkerConfig(env?: Record<string, string | undefined>): WorkerConfig {
  return workerConfig(loadProcessConfig(env));
}
