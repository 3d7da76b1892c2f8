import { BatchClient, ListJobsCommand } from '@aws-sdk/client-batch';

const batch = new BatchClient({});

/**
 * Every five minutes: how many jobs wait RUNNABLE in each queue, as an embedded-metric-format log
 * line (Lambda turns it into the Aerial/RunnableJobs metric). AWS Batch publishes no queue metric.
 */
export async function handler(): Promise<Record<string, number>> {
  const queues = JSON.parse(process.env.JOB_QUEUES ?? '[]') as string[];
  const depth: Record<string, number> = {};
  for (const queue of queues) {
    let count = 0;
    let nextToken: string | undefined;
    do {
      const out = await batch.send(new ListJobsCommand({ jobQueue: queue, jobStatus: 'RUNNABLE', nextToken }));
      count += out.jobSummaryList?.length ?? 0;
      nextToken = out.nextToken;
    } while (nextToken);
    depth[queue] = count;
    process.stdout.write(
      `${JSON.stringify({
        _aws: {
          Timestamp: Date.now(),
          CloudWatchMetrics: [
            {
              Namespace: 'Aerial',
              Dimensions: [['Environment'], ['Environment', 'Queue']],
              Metrics: [{ Name: 'RunnableJobs', Unit: 'Count' }],
            },
          ],
        },
        Environment: process.env.AERIAL_ENV,
        Queue: queue.split('/').pop(),
        RunnableJobs: count,
      })}\n`,
    );
  }
  return depth;
}
