export * from './summaries';
export * from './stage-io';
