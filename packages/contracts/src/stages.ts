import { z } from 'zod';

/** The pipeline's stages, in the order ARCHITECTURE.md describes them. */
export const STAGE_NAMES = [
  'GuardBudget',
  'Ingest',
  'Footprints',
  'Orthomosaic',
  'Tiles',
  'SfM',
  'Splat',
  'Compress',
  'Metadata',
  'Publish',
  'Notify',
] as const;
export const StageNameSchema = z.enum(STAGE_NAMES);
export type StageName = z.infer<typeof StageNameSchema>;

/** Job ids become object-store prefixes and MQTT topic levels, so they are kept to a safe alphabet. */
export const JobIdSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{2,62}$/,
    'must be 3–63 lowercase letters, digits or dashes, starting with a letter or digit',
  );
export type JobId = z.infer<typeof JobIdSchema>;

/** A new job id: `job-<yyyymmdd>-<8 hex>`, sortable by day and unique enough to name executions. */
export function newJobId(now: Date = new Date()): string {
  const random = Array.from(globalThis.crypto.getRandomValues(new Uint8Array(4)), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join('');
  return JobIdSchema.parse(`job-${now.toISOString().slice(0, 10).replace(/-/g, '')}-${random}`);
}
