import { AerialError, JobRequestSchema, type PipelineEvent, StageNameSchema } from '@aerial/contracts';
import { z } from 'zod';
import { type CurrentJob, currentJob } from '../engine/current-job';
import { startJob } from '../engine/start-job';
import { ErrorBodySchema, notFound } from './errors';
import type { JobRoutesOptions } from './jobs';
import { JobParams } from './products/params';
import type { ZodApp } from './zod-app';

type JobState = CurrentJob['state'];

/** Which action each state allows: the page shows the same buttons (web/src/job-actions.ts). */
const ALLOWED: Record<'cancel' | 'resume' | 'retry', readonly JobState[]> = {
  cancel: ['queued', 'running'],
  resume: ['failed', 'cancelled'],
  retry: ['succeeded', 'failed', 'cancelled'],
};

const WHY: Record<keyof typeof ALLOWED, string> = {
  cancel: 'only a queued or running job can be cancelled',
  resume: 'only a failed, cancelled or timed-out job can be resumed',
  retry: 'only an ended job can be retried: cancel it first, or wait for it to end',
};

const ActionResponses = { 404: ErrorBodySchema, 401: ErrorBodySchema, 409: ErrorBodySchema } as const;

/**
 * Cancel a running job, resume an ended one from the stage it failed or was stopped in (the same
 * job, one attempt more), or retry any ended job as a new job that names its origin. Each decides
 * on the job as its engine reports it, and refuses with `Aerial.JobStateConflict` (409) otherwise.
 */
export function jobActionRoutes(app: ZodApp, options: JobRoutesOptions, changed: (jobId: string) => void): void {
  const { engine } = options;

  /** The job, reconciled with its engine, when `action` applies to it. */
  async function jobFor(action: keyof typeof ALLOWED, jobId: string): Promise<CurrentJob> {
    // Settled first: a job is resumed or retried after the end of its attempt is in its history.
    const current = await currentJob(options, jobId, action !== 'cancel');
    if (!current?.job.executionArn) throw notFound(`job ${jobId}`);
    if (current.reconciled) changed(jobId);
    if (!ALLOWED[action].includes(current.state))
      throw new AerialError('Aerial.JobStateConflict', `job ${jobId} is ${current.state}: ${WHY[action]}`);
    return current;
  }

  app.post(
    '/api/jobs/:jobId/cancel',
    {
      preValidation: options.requireApiKey,
      schema: {
        summary: 'Stop a queued or running job',
        tags: ['jobs'],
        security: [{ apiKey: [] }],
        params: JobParams,
        response: { 202: z.object({ jobId: z.string() }), ...ActionResponses },
      },
    },
    async (request, reply) => {
      const { job } = await jobFor('cancel', request.params.jobId);
      await engine.stop(job.executionArn as string, 'cancelled through the Hub');
      return reply.code(202).send({ jobId: job.jobId });
    },
  );

  app.post(
    '/api/jobs/:jobId/resume',
    {
      preValidation: options.requireApiKey,
      schema: {
        summary: 'Run a failed, cancelled or timed-out job again from the stage it ended in',
        description:
          'The stages it finished are not run again. Step Functions redrives the execution, Argo retries the workflow keeping its succeeded nodes, the local engine does as Step Functions. The job keeps its id and gains an attempt.',
        tags: ['jobs'],
        security: [{ apiKey: [] }],
        params: JobParams,
        response: {
          202: z.object({ jobId: z.string(), attempt: z.number().int(), fromStage: StageNameSchema.nullable() }),
          ...ActionResponses,
        },
      },
    },
    async (request, reply) => {
      const { job } = await jobFor('resume', request.params.jobId);
      const events = await options.events.events(job.jobId);
      const attempt = events.filter((e) => e.type === 'job.resumed').length + 2;
      const stage = StageNameSchema.safeParse(job.stage);
      // Dated before the engine is asked, so that it precedes every event of the new attempt.
      const resumed: PipelineEvent = {
        type: 'job.resumed',
        jobId: job.jobId,
        at: new Date().toISOString(),
        attempt,
        ...(stage.success ? { stage: stage.data } : {}),
      };
      await engine.resume(job.executionArn as string);
      if (await options.events.recordEvent(resumed)) options.live?.emit('event', resumed);
      changed(job.jobId);
      return reply.code(202).send({ jobId: job.jobId, attempt, fromStage: stage.success ? stage.data : null });
    },
  );

  app.post(
    '/api/jobs/:jobId/retry',
    {
      preValidation: options.requireApiKey,
      schema: {
        summary: 'Start a new job with the request of an ended one',
        description: 'The new job runs every stage again and names the job it retries (retryOf).',
        tags: ['jobs'],
        security: [{ apiKey: [] }],
        params: JobParams,
        response: {
          202: z.object({ jobId: z.string(), executionArn: z.string(), retryOf: z.string() }),
          ...ActionResponses,
        },
      },
    },
    async (request, reply) => {
      const { job } = await jobFor('retry', request.params.jobId);
      if (!job.request) throw notFound(`request of job ${job.jobId}`);
      const started = await startJob(options, JobRequestSchema.parse(job.request), job.jobId);
      return reply.code(202).send({ ...started, retryOf: job.jobId });
    },
  );
}
