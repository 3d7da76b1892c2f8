import { DEFAULT_ENVIRONMENTS, type EnvironmentConfig, loadRuntimeConfig, type RuntimeConfig } from '@aerial/contracts';
import { createObjectStore, type ObjectStore } from '@aerial/runtime';

/** What a worker process needs, from its environment variables (validated, with safe defaults). */
export interface WorkerConfig {
  readonly runtime: RuntimeConfig;
  readonly environment: EnvironmentConfig;
  readonly store: ObjectStore;
  readonly uploads: ObjectStore;
  /** Where Publish writes (PUBLISHED_STORE; the work store by default). */
  readonly published: ObjectStore;
}

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const runtime = loadRuntimeConfig(env);
  const store = createObjectStore(runtime);
  const uploads = runtime.UPLOADS_STORE ? createObjectStore(runtime, runtime.UPLOADS_STORE) : store;
  const published = runtime.PUBLISHED_STORE ? createObjectStore(runtime, runtime.PUBLISHED_STORE) : store;
  return { runtime, environment: DEFAULT_ENVIRONMENTS[runtime.AERIAL_ENV], store, uploads, published };
}
