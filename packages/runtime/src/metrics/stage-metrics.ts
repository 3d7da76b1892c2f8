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
          Namespace: 'Aerial',
          Dimensions: [['Stage', 'Environment']],
          Metrics: [
            { Name: 'StageDurationSeconds', Unit: 'Seconds' },
            { Name: 'StageFailures', Unit: 'Count' },
          ],
        },
      ],
    },
    Stage: o.stage,
    Environment: o.environment,
    StageDurationSeconds: Math.round(o.seconds * 1000) / 1000,
    StageFailures: o.failed ? 1 : 0,
  });
}
