import { z } from 'zod';
import { AerialErrorPayloadSchema } from './errors';
import { PublicationSchema } from './publication';
import { JobIdSchema, StageNameSchema } from './stages';

const base = {
  jobId: JobIdSchema,
  at: z.iso.datetime({ offset: true }),
};

/** What a stage or the engine reports while a job runs; published on {@link topics}. */
export const PipelineEventSchema = z.discriminatedUnion('type', [
  z.object({ ...base, type: z.literal('job.started') }),
  z.object({ ...base, type: z.literal('job.succeeded') }),
  /** `stage`: the stage that failed (or was running when the job's deadline passed). */
  z.object({
    ...base,
    type: z.literal('job.failed'),
    error: AerialErrorPayloadSchema,
    stage: StageNameSchema.optional(),
  }),
  /** `stage`: the stage that was running when the job was stopped. */
  z.object({ ...base, type: z.literal('job.cancelled'), stage: StageNameSchema.optional() }),
  /**
   * An ended job runs again from where it stopped (Step Functions' redrive, Argo's retry): the
   * stages it finished are not run again. `attempt` counts the job's runs (the first is 1);
   * `stage`: the stage it failed or was stopped in, where the new attempt starts.
   */
  z.object({
    ...base,
    type: z.literal('job.resumed'),
    attempt: z.number().int().min(2),
    stage: StageNameSchema.optional(),
  }),
  /** Products are published (sent by the Publish stage); the Hub records them in the tile database. */
  z.object({ ...base, type: z.literal('job.published'), publication: PublicationSchema }),
  z.object({ ...base, type: z.literal('stage.started'), stage: StageNameSchema, attempt: z.number().int().min(1) }),
  z.object({
    ...base,
    type: z.literal('stage.progress'),
    stage: StageNameSchema,
    percent: z.number().min(0).max(100),
    message: z.string().max(500).optional(),
  }),
  z.object({ ...base, type: z.literal('stage.succeeded'), stage: StageNameSchema }),
  z.object({ ...base, type: z.literal('stage.failed'), stage: StageNameSchema, error: AerialErrorPayloadSchema }),
]);
export type PipelineEvent = z.infer<typeof PipelineEventSchema>;
export type PipelineEventType = PipelineEvent['type'];

/** Retained per job: the last known state, so a late subscriber sees where a job stands. */
export const JobStatusSchema = z.object({
  jobId: JobIdSchema,
  state: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']),
  stage: StageNameSchema.optional(),
  percent: z.number().min(0).max(100).optional(),
  error: AerialErrorPayloadSchema.optional(),
  updatedAt: z.iso.datetime({ offset: true }),
});
export type JobStatus = z.infer<typeof JobStatusSchema>;

const TOPIC_ROOT = 'aerial/v1';

/** MQTT topic names. Job ids are validated so they can never inject `+`, `#` or `/` levels. */
export const topics = {
  root: TOPIC_ROOT,
  /** Event stream of one job (QoS 1, not retained). */
  jobEvents: (jobId: string) => `${TOPIC_ROOT}/jobs/${JobIdSchema.parse(jobId)}/events`,
  /** Retained status of one job. */
  jobStatus: (jobId: string) => `${TOPIC_ROOT}/jobs/${JobIdSchema.parse(jobId)}/status`,
  /** How a job ended, as Notify tells it (QoS 1, retained: the last word on the job). */
  jobNotification: (jobId: string) => `${TOPIC_ROOT}/jobs/${JobIdSchema.parse(jobId)}/notification`,
  /** Subscription filter for every job's events. */
  allJobEvents: `${TOPIC_ROOT}/jobs/+/events`,
  /** Subscription filter for every job's retained status. */
  allJobStatus: `${TOPIC_ROOT}/jobs/+/status`,
  /** Every topic of every job (events, status, notification): what the engine and stages write. */
  allJobTopics: `${TOPIC_ROOT}/jobs/+/+`,
  /** Upload notifications that may trigger a job. */
  uploads: `${TOPIC_ROOT}/uploads`,
} as const;

/**
 * What each of {@link topics} carries, for the MQTT reference the docs generate (a topic without
 * a line here does not compile).
 */
export const TOPIC_DESCRIPTIONS: { readonly [K in keyof typeof topics]: string } = {
  root: 'Root of every Aerial topic; the version level changes only with an incompatible payload.',
  jobEvents: 'The event stream of one job: a PipelineEvent per message (QoS 1, not retained).',
  jobStatus: "One job's last known state: a JobStatus, retained so a late subscriber sees where the job stands.",
  jobNotification: 'How a job ended, as Notify tells it (QoS 1, retained: the last word on the job).',
  allJobEvents: "Subscription filter for every job's events (the Hub subscribes).",
  allJobStatus: "Subscription filter for every job's retained status (the Hub subscribes).",
  allJobTopics: 'Every topic of every job (events, status, notification): what the engine and the stages publish.',
  uploads: 'Upload notifications that may trigger a job.',
};

/**
 * Who may do what on a broker: the engine and the stage processes publish job topics, the Hub
 * reads events and status. The Mosquitto ACL (Kubernetes) and the Hub's embedded broker are both
 * written from this, so a topic added here is allowed everywhere at once.
 */
export const BROKER_USERS = {
  engine: { publish: [topics.allJobTopics], subscribe: [] },
  hub: { publish: [], subscribe: [topics.allJobEvents, topics.allJobStatus] },
} as const satisfies Record<string, { publish: readonly string[]; subscribe: readonly string[] }>;

/** The job id in a topic produced by {@link topics}, or undefined for any other topic. */
export function jobIdFromTopic(topic: string): string | undefined {
  const m = /^aerial\/v1\/jobs\/([^/]+)\/(events|status)$/.exec(topic);
  return m && JobIdSchema.safeParse(m[1]).success ? m[1] : undefined;
}

/** The retained status after `event`, given the status before it (if any). */
export function nextJobStatus(previous: JobStatus | undefined, event: PipelineEvent): JobStatus {
  const base = { jobId: event.jobId, updatedAt: event.at };
  switch (event.type) {
    case 'job.started':
      return { ...base, state: 'running' };
    case 'job.resumed':
      return { ...base, state: 'running', ...(event.stage ? { stage: event.stage } : {}) };
    case 'job.succeeded':
      return { ...base, state: 'succeeded', percent: 100 };
    case 'job.failed':
    case 'job.cancelled': {
      // The event names its stage; older publishers left it to the last stage event.
      const stage = event.stage ?? previous?.stage;
      const state = event.type === 'job.failed' ? 'failed' : 'cancelled';
      return {
        ...base,
        state,
        ...(event.type === 'job.failed' ? { error: event.error } : {}),
        ...(stage ? { stage } : {}),
      };
    }
    case 'stage.started':
      return { ...base, state: 'running', stage: event.stage, percent: 0 };
    case 'stage.progress':
      return { ...base, state: 'running', stage: event.stage, percent: event.percent };
    case 'stage.succeeded':
      return { ...base, state: 'running', stage: event.stage, percent: 100 };
    case 'stage.failed':
      return { ...base, state: previous?.state ?? 'running', stage: event.stage, error: event.error };
    case 'job.published':
      return { ...(previous ?? { state: 'running' }), ...base };
  }
}
