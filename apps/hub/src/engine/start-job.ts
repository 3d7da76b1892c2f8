import { type JobRequest, newJobId } from '@aerial/contracts';
import type { JobsRepository } from '../db/jobs-repository';
import type { JobEngine } from './job-engine';

/** Starts a job on the engine and records it; the one way the Hub starts jobs. `retryOf`: the job it retries. */
export async function startJob(
  options: { jobs: JobsRepository; engine: JobEngine },
  request: JobRequest,
  retryOf?: string,
): Promise<{ jobId: string; executionArn: string }> {
  const jobId = newJobId();
  // Recorded first: the engine's first events can arrive before StartExecution answers.
  await options.jobs.recordJob(jobId, request, undefined, retryOf);
  try {
    const executionArn = await options.engine.start(jobId, request);
    await options.jobs.recordJob(jobId, request, executionArn);
    return { jobId, executionArn };
  } catch (e) {
    await options.jobs.forgetJob(jobId);
    throw e;
  }
}
