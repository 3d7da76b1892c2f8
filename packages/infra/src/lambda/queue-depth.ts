import { BatchClient, ListJobsCommand } from '@aws-sdk/client-batch';
import { loadLambdaEnv, loadProcessConfig, runnableJobsMetricLine } from '@aerial/runtime';

const batch = new BatchClient({});

/**
 * Every five minutes: how many jobs wait RUNNABLE in each queue, as an embedded-metric-format log
 * line (Lambda turns it into the Aerial/RunnableJobs metric). AWS Batch publishes no queue metric.
 */
export async function handler(): Promise<Record<string, number>> {
  const { AERIAL_ENV: environment } = loadProcessConfig();
  const { JOB_QUEUES: queues } = loadLambdaEnv();
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
    process.stdout.write(`${runnableJobsMetricLine({ environment, queue: queue.split('/').pop() ?? queue, count })}\n`);
  }
  return depth;
}
