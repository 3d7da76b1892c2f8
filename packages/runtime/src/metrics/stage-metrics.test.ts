import { stageMetricLine } from './stage-metrics';

test('an EMF line names its metrics, dimensions and values', () => {
  const line = JSON.parse(
    stageMetricLine({ stage: 'Ingest', environment: 'dev', seconds: 12.3456, failed: false, now: 1 }),
  ) as Record<string, unknown>;
  expect(line).toEqual({
    _aws: {
      Timestamp: 1,
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
    Stage: 'Ingest',
    Environment: 'dev',
    StageDurationSeconds: 12.346,
    StageFailures: 0,
  });
});
