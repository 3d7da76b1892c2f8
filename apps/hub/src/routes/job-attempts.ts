import { type PipelineEvent, StageNameSchema } from '@aerial/contracts';
import { z } from 'zod';

/** One run of a job: its first, or a resume from the stage the run before it ended in. */
export const JobAttemptSchema = z.object({
  attempt: z.number().int().min(1),
  kind: z.enum(['start', 'resume']),
  startedAt: z.string(),
  /** A resume: the stage it started from (the earlier stages were not run again). */
  fromStage: StageNameSchema.nullable(),
  /** Null while it runs. */
  endedAt: z.string().nullable(),
  outcome: z.enum(['succeeded', 'failed', 'cancelled']).nullable(),
  /** The stage it ended in (failed or was stopped in), when it did not succeed. */
  stage: StageNameSchema.nullable(),
  error: z.object({ name: z.string(), reason: z.string() }).nullable(),
});
export type JobAttempt = z.infer<typeof JobAttemptSchema>;

/**
 * A job's attempts, read from its events (oldest first): each `job.resumed` opens one, the first
 * job-ending event after it closes it. The first attempt opens when the job was created (engines
 * that send no `job.started` still run it).
 */
export function jobAttempts(createdAt: string, events: readonly PipelineEvent[]): JobAttempt[] {
  const started = events.find((e) => e.type === 'job.started');
  const attempts: JobAttempt[] = [
    {
      attempt: 1,
      kind: 'start',
      startedAt: started?.at ?? createdAt,
      fromStage: null,
      endedAt: null,
      outcome: null,
      stage: null,
      error: null,
    },
  ];
  for (const event of events) {
    const current = attempts[attempts.length - 1] as JobAttempt;
    if (event.type === 'job.resumed') {
      attempts.push({
        attempt: event.attempt,
        kind: 'resume',
        startedAt: event.at,
        fromStage: event.stage ?? null,
        endedAt: null,
        outcome: null,
        stage: null,
        error: null,
      });
    } else if (current.outcome === null) {
      if (event.type === 'job.succeeded') Object.assign(current, { endedAt: event.at, outcome: 'succeeded' });
      if (event.type === 'job.failed' || event.type === 'job.cancelled')
        Object.assign(current, {
          endedAt: event.at,
          outcome: event.type === 'job.failed' ? 'failed' : 'cancelled',
          stage: event.stage ?? null,
          error: event.type === 'job.failed' ? { name: event.error.name, reason: event.error.reason } : null,
        });
    }
  }
  return attempts;
}
