import { runnableJobsMetricLine, stageMetricLine } from './stage-metrics';

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

test('a queue-depth line counts the RUNNABLE jobs of one queue, by environment and queue', () => {
  const line = JSON.parse(runnableJobsMetricLine({ environment: 'prod', queue: 'aerial-cpu', count: 3, now: 2 })) as {
    _aws: { CloudWatchMetrics: { Namespace: string; Metrics: { Name: string }[] }[] };
  } & Record<string, unknown>;
  expect(line._aws.CloudWatchMetrics[0]).toEqual({
    Namespace: 'Aerial',
    Dimensions: [['Environment'], ['Environment', 'Queue']],
    Metrics: [{ Name: 'RunnableJobs', Unit: 'Count' }],
  });
  expect(line).toMatchObject({ Environment: 'prod', Queue: 'aerial-cpu', RunnableJobs: 3 });
});
