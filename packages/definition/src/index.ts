export * from './pipeline-definition';
export * from './asl/render-asl';
export * from './asl/validate-asl';
export * from './asl/job-time-budget';
export * from './argo/render-workflow-template';
export * from './asl/local-substitutions';
