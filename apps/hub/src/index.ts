export * from './db/migrate';
export * from './db/tile-database';
export * from './app';
export * from './auth/api-keys';
export * from './mqtt/event-bridge';
export * from './engine/job-engine';
export * from './engine/argo-workflows-engine';
