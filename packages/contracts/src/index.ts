export * from './environment';
export * from './errors';
export * from './events';
export * from './job-request';
export * from './json-schema';
export * from './runtime-config';
export * from './stages';
export * from './validation';
