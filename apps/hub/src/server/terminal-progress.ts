import { type PipelineEvent } from '@aerial/contracts';
import type { Logger } from '@aerial/runtime';
import type { JobsRepository } from '../db/jobs-repository';
import { stagesOfPreset } from '../routes/jobs';

interface JobProgress {
  readonly stages: string[];
  readonly done: Set<string>;
  readonly quarter: Map<string, number>;
}

/**
 * The log's view of each job: a line per stage as it starts, at every quarter of its progress
 * and as it ends, with the job's overall percentage (stages of its preset done), and the outcome.
 */
export function terminalProgress(jobs: JobsRepository, log: Logger): (event: PipelineEvent) => Promise<void> {
  const progress = new Map<string, JobProgress>();
  const of = async (jobId: string) => {
    let job = progress.get(jobId);
    if (!job) {
      const row = await jobs.job(jobId);
      job = { stages: stagesOfPreset(row?.preset ?? ''), done: new Set(), quarter: new Map() };
      progress.set(jobId, job);
    }
    return job;
  };
  return async (event) => {
    const job = await of(event.jobId);
    const line = progressLine(event, job);
    if (event.type === 'job.succeeded' || event.type === 'job.failed') progress.delete(event.jobId);
    if (line) log.info(line);
  };
}

/** The line an event makes, if any; records what it changes on `job`. */
function progressLine(event: PipelineEvent, job: JobProgress): string | undefined {
  const overall = () => `${Math.round((job.done.size / job.stages.length) * 100)} % of the job`;
  switch (event.type) {
    case 'stage.started':
      return `${event.jobId} ${event.stage}: started (${overall()})`;
    case 'stage.progress': {
      const quarter = Math.floor(event.percent / 25);
      if (quarter <= (job.quarter.get(event.stage) ?? 0) || quarter >= 4) return undefined;
      job.quarter.set(event.stage, quarter);
      return `${event.jobId} ${event.stage}: ${quarter * 25} %${event.message ? ` — ${event.message}` : ''}`;
    }
    case 'stage.succeeded':
      job.done.add(event.stage);
      return `${event.jobId} ${event.stage}: done (${overall()})`;
    case 'stage.failed':
      return `${event.jobId} ${event.stage}: FAILED ${event.error.name}: ${event.error.reason}`;
    case 'job.succeeded':
      return `${event.jobId}: SUCCEEDED`;
    case 'job.failed':
      return `${event.jobId}: FAILED ${event.error.name}: ${event.error.reason}`;
    case 'job.published':
      return `${event.jobId}: published ${event.publication.objects} objects under ${event.publication.prefix}/`;
    default:
      return undefined;
  }
}
