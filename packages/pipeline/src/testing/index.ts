// Test harnesses for other packages' tests: kept off the production index (`@aerial/pipeline/testing`).
export * from './engine-harness';
export * from './in-process-engine';
export * from './faults';
export * from './bad-input-kit';
export * from './example-summaries';
