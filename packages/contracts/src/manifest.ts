import { z } from 'zod';
import { JobRequestSchema } from './job-request';
import { JobIdSchema, StageNameSchema } from './stages';

const jsonValue: z.ZodType<unknown> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValue), z.record(z.string(), jsonValue)]),
);

/** An object a stage wrote. */
export const StageOutputSchema = z.object({
  key: z.string().min(1),
  contentType: z.string().min(1),
  bytes: z.number().int().min(0),
  role: z.string().min(1).describe('what the object is to readers, e.g. "images", "footprints"'),
});
export type StageOutput = z.infer<typeof StageOutputSchema>;

/** `jobs/<jobId>/<stage>/manifest.json`: what a stage wrote and a small summary of it. */
export const StageManifestSchema = z.object({
  jobId: JobIdSchema,
  stage: StageNameSchema,
  startedAt: z.iso.datetime({ offset: true }),
  finishedAt: z.iso.datetime({ offset: true }),
  outputs: z.array(StageOutputSchema),
  /** Small figures only (counts, GSD, cost); the payload limit of Step Functions is 256 KiB. */
  summary: z.record(z.string(), jsonValue),
});
export type StageManifest = z.infer<typeof StageManifestSchema>;

/**
 * What every stage receives, on any engine: the job and where its request lives. Everything else
 * is read from the object store by key convention (`jobs/<jobId>/<stage>/manifest.json`).
 */
export const StageInvocationSchema = z.object({
  jobId: JobIdSchema,
  stage: StageNameSchema,
  attempt: z.number().int().min(1).default(1),
  /** The job's request, carried by the first stage only, which stores it for the others. */
  request: JobRequestSchema.optional(),
  /** Notify only: which way the job ended, and the orchestrator's error when it failed. */
  outcome: z.enum(['succeeded', 'failed']).optional(),
  failure: z.object({ Error: z.string(), Cause: z.string().optional() }).optional(),
});
export type StageInvocation = z.infer<typeof StageInvocationSchema>;

/** The execution input: the job id and its validated request (small: sources are references). */
export const ExecutionInputSchema = z.object({
  jobId: JobIdSchema,
  request: JobRequestSchema,
});
export type ExecutionInput = z.infer<typeof ExecutionInputSchema>;
export type ExecutionInputInit = z.input<typeof ExecutionInputSchema>;

/** Object-store keys, in one place so every engine and reader agrees. */
export const keys = {
  job: (jobId: string) => `jobs/${JobIdSchema.parse(jobId)}`,
  request: (jobId: string) => `jobs/${JobIdSchema.parse(jobId)}/request.json`,
  stage: (jobId: string, stage: string) => `jobs/${JobIdSchema.parse(jobId)}/${StageNameSchema.parse(stage)}`,
  manifest: (jobId: string, stage: string) => `${keys.stage(jobId, stage)}/manifest.json`,
  stageError: (jobId: string, stage: string) => `${keys.stage(jobId, stage)}/error.json`,
  failure: (jobId: string) => `jobs/${JobIdSchema.parse(jobId)}/failure.json`,
} as const;
