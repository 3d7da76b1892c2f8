import { z } from 'zod';
import { EnvironmentConfigSchema } from './environment';
import { AerialErrorPayloadSchema } from './errors';
import { JobStatusSchema, PipelineEventSchema } from './events';
import { JobRequestSchema } from './job-request';

/** The contracts other languages and tools read, by the name used in docs and OpenAPI. */
export const PUBLISHED_SCHEMAS = {
  JobRequest: JobRequestSchema,
  PipelineEvent: PipelineEventSchema,
  JobStatus: JobStatusSchema,
  AerialError: AerialErrorPayloadSchema,
  EnvironmentConfig: EnvironmentConfigSchema,
} as const;

export type PublishedSchemaName = keyof typeof PUBLISHED_SCHEMAS;

/** JSON Schema (draft 2020-12) of a published contract, as its input side accepts it. */
export function toJsonSchema(name: PublishedSchemaName): Record<string, unknown> {
  // Refinements (cross-field rules) cannot be expressed in JSON Schema and are left out.
  return z.toJSONSchema(PUBLISHED_SCHEMAS[name], { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
