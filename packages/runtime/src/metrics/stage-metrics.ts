import { AERIAL_METRICS } from '@aerial/contracts';

/**
 * One CloudWatch embedded-metric-format line for a finished stage attempt: its duration and
 * whether it failed, by stage and environment. Lambda turns such lines into metrics by itself;
 * containers do through the CloudWatch agent or FireLens.
 */
export function stageMetricLine(o: {
  stage: string;
  environment: string;
  seconds: number;
  failed: boolean;
  now?: number;
}): string {
  return JSON.stringify({
    _aws: {
      Timestamp: o.now ?? Date.now(),
      CloudWatchMetrics: [
        {
          Namespace: AERIAL_METRICS.namespace,
          Dimensions: [['Stage', 'Environment']],
          Metrics: [
            { Name: AERIAL_METRICS.stageDurationSeconds, Unit: 'Seconds' },
            { Name: AERIAL_METRICS.stageFailures, Unit: 'Count' },
          ],
        },
      ],
    },
    Stage: o.stage,
    Environment: o.environment,
    [AERIAL_METRICS.stageDurationSeconds]: Math.round(o.seconds * 1000) / 1000,
    [AERIAL_METRICS.stageFailures]: o.failed ? 1 : 0,
  });
}

/** One embedded-metric-format line: how many Batch jobs wait RUNNABLE in `queue`. */
export function runnableJobsMetricLine(o: { environment: string; queue: string; count: number; now?: number }): string {
  return JSON.stringify({
    _aws: {
      Timestamp: o.now ?? Date.now(),
      CloudWatchMetrics: [
        {
          Namespace: AERIAL_METRICS.namespace,
          Dimensions: [['Environment'], ['Environment', 'Queue']],
          Metrics: [{ Name: AERIAL_METRICS.runnableJobs, Unit: 'Count' }],
        },
      ],
    },
    Environment: o.environment,
    Queue: o.queue,
    [AERIAL_METRICS.runnableJobs]: o.count,
  });
}
