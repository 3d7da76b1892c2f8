/**
 * The CloudWatch metrics Aerial emits (embedded metric format): the stages and the queue-depth
 * Lambda write them, the infra's dashboard and alarms read them. One home, so a renamed metric
 * cannot leave an alarm watching nothing.
 */
export const AERIAL_METRICS = {
  namespace: 'Aerial',
  /** Seconds one stage attempt took; dimensions Stage, Environment. */
  stageDurationSeconds: 'StageDurationSeconds',
  /** 1 for a failed stage attempt, 0 otherwise; dimensions Stage, Environment. */
  stageFailures: 'StageFailures',
  /** Batch jobs waiting RUNNABLE; dimensions Environment (and Environment, Queue). */
  runnableJobs: 'RunnableJobs',
} as const;
