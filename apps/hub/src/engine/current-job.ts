import type { EventsRepository } from '../db/events-repository';
import type { JobRecord, JobsRepository } from '../db/jobs-repository';
import type { EngineExecution, JobEngine } from './job-engine';
import { reconcilingEvent } from './reconcile-job';

/** A job as the Hub and its engine both see it. */
export interface CurrentJob {
  readonly job: JobRecord;
  readonly execution: EngineExecution | undefined;
  /** True when the engine's word changed the job's status here (its last event never arrived). */
  readonly reconciled: boolean;
  /**
   * Where the job stands for deciding what may be done with it: the engine's status when it has
   * one (the job's own status may wait for an event still on its way), the job's otherwise.
   */
  readonly state: JobRecord['status'];
}

const STATE_OF: Record<EngineExecution['status'], JobRecord['status']> = {
  RUNNING: 'running',
  PENDING_REDRIVE: 'running',
  SUCCEEDED: 'succeeded',
  FAILED: 'failed',
  TIMED_OUT: 'failed',
  ABORTED: 'cancelled',
};

/**
 * A job read with its engine's view; the engine's word is final: a job it ended whose last event
 * never arrived is ended here too. What the job page shows and what the actions decide on.
 */
export async function currentJob(
  options: { jobs: JobsRepository; events: EventsRepository; engine: JobEngine },
  jobId: string,
  /** Record the engine's ending now, without waiting for the engine's own event (before acting on the job). */
  settle = false,
): Promise<CurrentJob | undefined> {
  const job = await options.jobs.job(jobId);
  if (!job) return undefined;
  const execution = job.executionArn ? await options.engine.describe(job.executionArn) : undefined;
  const ending = reconcilingEvent(job, execution, settle ? Number.POSITIVE_INFINITY : Date.now());
  const state = execution ? STATE_OF[execution.status] : job.status;
  if (ending && (await options.events.recordEvent(ending))) {
    return { job: (await options.jobs.job(jobId)) ?? job, execution, reconciled: true, state };
  }
  return { job, execution, reconciled: false, state };
}
