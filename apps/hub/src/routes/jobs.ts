import { DEFAULT_PRESET, JobRequestSchema, JobStatusSchema, newJobId, PipelineEventSchema } from '@aerial/contracts';
import type { FastifyPluginAsync, preHandlerHookHandler } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { TileDatabase } from '../db/tile-database';
import type { JobEngine } from '../engine/job-engine';
import { reconcilingEvent } from '../engine/reconcile-job';
import { ErrorBodySchema, notFound } from './errors';

export interface JobRoutesOptions {
  readonly tiles: TileDatabase;
  readonly engine: JobEngine;
  /** Refuses requests without a valid API key (before their body is even validated). */
  readonly requireApiKey: preHandlerHookHandler;
  /** The folder of the sample survey, rendered on first use; enables POST /api/samples. */
  readonly samplePhotos?: () => Promise<string>;
}

const JobSchema = z.object({
  jobId: z.string(),
  preset: z.string(),
  priority: z.string(),
  label: z.string().nullable(),
  status: JobStatusSchema.shape.state,
  stage: z.string().nullable(),
  error: z.object({ name: z.string(), reason: z.string() }).nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const JobIdParams = z.object({ jobId: z.string().regex(/^[a-z0-9][a-z0-9-]{2,62}$/) });
const Started = z.object({ jobId: z.string(), executionArn: z.string() });

/** Starts a job on the engine and records it; the one way the Hub starts jobs. */
export async function startJob(
  options: { tiles: TileDatabase; engine: JobEngine },
  request: z.infer<typeof JobRequestSchema>,
): Promise<{ jobId: string; executionArn: string }> {
  const jobId = newJobId();
  // Recorded first: the engine's first events can arrive before StartExecution answers.
  await options.tiles.recordJob(jobId, request);
  try {
    const executionArn = await options.engine.start(jobId, request);
    await options.tiles.recordJob(jobId, request, executionArn);
    return { jobId, executionArn };
  } catch (e) {
    await options.tiles.forgetJob(jobId);
    throw e;
  }
}

/** Start, list, inspect, cancel and retry jobs. Jobs run on whatever engine `sfn` points at. */
export const jobRoutes: FastifyPluginAsync<JobRoutesOptions> = async (plain, options) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const { tiles, engine } = options;
  const start = (request: z.infer<typeof JobRequestSchema>) => startJob(options, request);
  // Pages poll the status of the same few jobs: one database read per job per half second
  // serves them all (and the embedded database runs one statement at a time).
  const recent = new Map<string, { at: number; value: Promise<Awaited<ReturnType<TileDatabase['jobStatus']>>> }>();
  const statusOf = (jobId: string) => {
    const hit = recent.get(jobId);
    if (hit && Date.now() - hit.at < 500) return hit.value;
    const value = tiles.jobStatus(jobId);
    recent.set(jobId, { at: Date.now(), value });
    if (recent.size > 10_000) recent.delete(recent.keys().next().value as string);
    value.catch(() => recent.delete(jobId));
    return value;
  };

  if (options.samplePhotos) {
    const samplePhotos = options.samplePhotos;
    app.post(
      '/api/samples',
      {
        preValidation: options.requireApiKey,
        schema: {
          summary: 'Start a map job on the generated sample survey',
          tags: ['jobs'],
          security: [{ apiKey: [] }],
          response: { 202: Started, 401: ErrorBodySchema },
        },
      },
      async (_request, reply) =>
        reply.code(202).send(
          await start(
            JobRequestSchema.parse({
              source: { kind: 'folder', path: await samplePhotos() },
              preset: DEFAULT_PRESET,
              label: 'sample survey',
            }),
          ),
        ),
    );
  }

  app.post(
    '/api/jobs',
    {
      preValidation: options.requireApiKey,
      schema: {
        summary: 'Start a job',
        tags: ['jobs'],
        security: [{ apiKey: [] }],
        body: JobRequestSchema,
        response: { 202: Started, 400: ErrorBodySchema, 401: ErrorBodySchema },
      },
    },
    async (request, reply) => reply.code(202).send(await start(request.body)),
  );

  app.get(
    '/api/jobs',
    {
      schema: {
        summary: 'List jobs, newest first',
        tags: ['jobs'],
        querystring: z.object({
          status: JobStatusSchema.shape.state.optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: { 200: z.object({ jobs: z.array(JobSchema) }) },
      },
    },
    async (request) => ({ jobs: await tiles.jobs(request.query) }),
  );

  app.get(
    '/api/jobs/:jobId',
    {
      schema: {
        summary: "A job with its stage timeline and its engine's view",
        tags: ['jobs'],
        params: JobIdParams,
        response: {
          200: JobSchema.extend({
            events: z.array(PipelineEventSchema),
            execution: z
              .object({ status: z.string(), error: z.string().optional(), cause: z.string().optional() })
              .nullable(),
          }),
          404: ErrorBodySchema,
        },
      },
    },
    async (request) => {
      let job = await tiles.job(request.params.jobId);
      if (!job) throw notFound(`job ${request.params.jobId}`);
      const execution = job.executionArn ? await engine.describe(job.executionArn) : undefined;
      // The engine's word is final: a job it ended whose last event never arrived is ended here too.
      const ending = reconcilingEvent(job, execution);
      if (ending && (await tiles.recordEvent(ending))) {
        recent.delete(job.jobId);
        job = (await tiles.job(job.jobId)) ?? job;
      }
      const { request: _request, executionArn: _arn, ...row } = job;
      return {
        ...row,
        events: await tiles.events(job.jobId),
        execution: execution
          ? {
              status: String(execution.status),
              ...(execution.error ? { error: execution.error } : {}),
              ...(execution.cause ? { cause: execution.cause } : {}),
            }
          : null,
      };
    },
  );

  app.get(
    '/api/jobs/:jobId/status',
    {
      schema: {
        summary: "A job's status from the tile database (cheap: for polling)",
        tags: ['jobs'],
        params: JobIdParams,
        response: {
          200: z.object({
            jobId: z.string(),
            status: JobStatusSchema.shape.state,
            stage: z.string().nullable(),
            error: z.object({ name: z.string(), reason: z.string() }).nullable(),
          }),
          404: ErrorBodySchema,
        },
      },
    },
    async (request) => {
      const status = await statusOf(request.params.jobId);
      if (!status) throw notFound(`job ${request.params.jobId}`);
      return {
        jobId: request.params.jobId,
        status: status.status,
        stage: status.stage,
        error: status.errorName ? { name: status.errorName, reason: status.errorReason ?? '' } : null,
      };
    },
  );

  app.post(
    '/api/jobs/:jobId/cancel',
    {
      preValidation: options.requireApiKey,
      schema: {
        summary: 'Stop a running job',
        tags: ['jobs'],
        security: [{ apiKey: [] }],
        params: JobIdParams,
        response: { 202: z.object({ jobId: z.string() }), 404: ErrorBodySchema },
      },
    },
    async (request, reply) => {
      const job = await tiles.job(request.params.jobId);
      if (!job?.executionArn) throw notFound(`job ${request.params.jobId}`);
      await engine.stop(job.executionArn, 'cancelled through the Hub');
      return reply.code(202).send({ jobId: job.jobId });
    },
  );

  app.post(
    '/api/jobs/:jobId/retry',
    {
      preValidation: options.requireApiKey,
      schema: {
        summary: 'Start a new job with the same request',
        tags: ['jobs'],
        security: [{ apiKey: [] }],
        params: JobIdParams,
        response: { 202: Started, 404: ErrorBodySchema },
      },
    },
    async (request, reply) => {
      const job = await tiles.job(request.params.jobId);
      if (!job?.request) throw notFound(`job ${request.params.jobId}`);
      return reply.code(202).send(await start(JobRequestSchema.parse(job.request)));
    },
  );
};
