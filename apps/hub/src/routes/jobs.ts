import { LRUCache } from 'lru-cache';
import {
  DEFAULT_PRESET,
  JobRequestSchema,
  JobStatusSchema,
  PipelineEventSchema,
  PresetSchema,
  STAGE_NAMES,
  type StageName,
  StageNameSchema,
} from '@aerial/contracts';
import { AERIAL_PIPELINE, stagesFor } from '@aerial/definition';
import type { FastifyPluginAsync, preHandlerHookHandler } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { EventEmitter } from 'node:events';
import { z } from 'zod';
import type { EventsRepository } from '../db/events-repository';
import type { JobStatusRow, JobsRepository } from '../db/jobs-repository';
import type { JobEngine } from '../engine/job-engine';
import { currentJob } from '../engine/current-job';
import { startJob } from '../engine/start-job';
import { ErrorBodySchema, notFound } from './errors';
import { jobOptionsView, JobOptionsViewSchema } from './job-options';
import { jobActionRoutes } from './job-actions';
import { JobAttemptSchema, jobAttempts } from './job-attempts';
import type { ZodApp } from './zod-app';

export interface JobRoutesOptions {
  readonly jobs: JobsRepository;
  readonly events: EventsRepository;
  readonly engine: JobEngine;
  /** Refuses requests without a valid API key (before their body is even validated). */
  readonly requireApiKey: preHandlerHookHandler;
  /** The folder of the sample survey's photos; enables POST /api/samples. */
  readonly samplePhotos?: () => Promise<string>;
  /** Where events the Hub records itself (a resume) are told to live pages. */
  readonly live?: EventEmitter;
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
/**
 * A job with its events, its engine's view, the stages its preset runs, in order (the page's
 * cards), its attempts, the job it retries and the jobs that retry it.
 */
const JobDetailSchema = JobSchema.extend({
  stages: z.array(StageNameSchema),
  /** What the job was asked for (preset, priority, label, who to tell, options). */
  request: JobOptionsViewSchema.nullable(),
  /** The state the actions decide on: the engine's word, which can be ahead of `status` while the job's last event is on its way. */
  state: JobStatusSchema.shape.state,
  events: z.array(PipelineEventSchema),
  attempts: z.array(JobAttemptSchema),
  retryOf: z.string().nullable(),
  retries: z.array(z.string()),
  execution: z.object({ status: z.string(), error: z.string().optional(), cause: z.string().optional() }).nullable(),
});
const JobIdParams = z.object({ jobId: z.string().regex(/^[a-z0-9][a-z0-9-]{2,62}$/) });
const Started = z.object({ jobId: z.string(), executionArn: z.string() });

/** The stages a job of this preset runs; every stage for a preset this build does not know. */
export function stagesOfPreset(preset: string): StageName[] {
  const known = PresetSchema.safeParse(preset);
  return known.success ? stagesFor(AERIAL_PIPELINE, known.data) : [...STAGE_NAMES];
}

/** Start, list, inspect, cancel, resume and retry jobs, on whatever engine the Hub was given. */
export const jobRoutes: FastifyPluginAsync<JobRoutesOptions> = async (plain, options) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const statuses = new RecentStatuses(options.jobs);
  startRoutes(app, options);
  readRoutes(app, options, statuses);
  jobActionRoutes(app, options, (jobId) => statuses.forget(jobId));
};

/**
 * Pages poll the status of the same few jobs: one database read per job per half second serves
 * them all (and the embedded database runs one statement at a time).
 */
class RecentStatuses {
  private readonly recent = new LRUCache<string, Promise<JobStatusRow | undefined>>({ max: 10_000, ttl: 500 });

  constructor(private readonly jobs: JobsRepository) {}

  get(jobId: string): Promise<JobStatusRow | undefined> {
    const hit = this.recent.get(jobId);
    if (hit) return hit;
    const value = this.jobs.jobStatus(jobId);
    this.recent.set(jobId, value);
    value.catch(() => this.recent.delete(jobId));
    return value;
  }

  forget(jobId: string): void {
    this.recent.delete(jobId);
  }
}

/** POST /api/jobs, and POST /api/samples when the sample survey is there. */
function startRoutes(app: ZodApp, options: JobRoutesOptions): void {
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
          await startJob(
            options,
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
    async (request, reply) => reply.code(202).send(await startJob(options, request.body)),
  );
}

/** The job list, one job in detail (reconciled with its engine), and its cheap status. */
function readRoutes(app: ZodApp, options: JobRoutesOptions, statuses: RecentStatuses): void {
  const { jobs, events } = options;
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
    async (request) => ({ jobs: await jobs.jobs(request.query) }),
  );

  app.get(
    '/api/jobs/:jobId',
    {
      schema: {
        summary: "A job with its stage timeline, its preset's stages and its engine's view",
        tags: ['jobs'],
        params: JobIdParams,
        response: { 200: JobDetailSchema, 404: ErrorBodySchema },
      },
    },
    async (request) => {
      const current = await currentJob(options, request.params.jobId);
      if (!current) throw notFound(`job ${request.params.jobId}`);
      const { job, execution } = current;
      if (current.reconciled) statuses.forget(job.jobId);
      const { request: _request, executionArn: _arn, ...row } = job;
      const jobEvents = await events.events(job.jobId);
      return {
        ...row,
        stages: stagesOfPreset(job.preset),
        request: jobOptionsView(job.request),
        state: current.state,
        events: jobEvents,
        attempts: jobAttempts(job.createdAt, jobEvents),
        retries: await jobs.retriesOf(job.jobId),
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
      // Polled twice a second by every open page: its request lines would bury the rest of the log.
      logLevel: 'warn',
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
      const status = await statuses.get(request.params.jobId);
      if (!status) throw notFound(`job ${request.params.jobId}`);
      return {
        jobId: request.params.jobId,
        status: status.status,
        stage: status.stage,
        error: status.errorName ? { name: status.errorName, reason: status.errorReason ?? '' } : null,
      };
    },
  );
}
