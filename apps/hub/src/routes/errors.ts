import { AerialError, type AerialErrorName } from '@aerial/contracts';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

export const ErrorBodySchema = z.object({
  error: z.object({ name: z.string(), reason: z.string(), remedy: z.string().optional() }),
});

const STATUS: Partial<Record<AerialErrorName, number>> = {
  'Aerial.InvalidInput': 400,
  'Aerial.BudgetExceeded': 402,
  'Aerial.QualityRejected': 422,
  'Aerial.JobStateConflict': 409,
  'Aerial.Transient': 503,
};

/** The HTTP status and body for an error, with its name, reason and what to do next. */
export function errorReply(e: unknown): { status: number; body: z.infer<typeof ErrorBodySchema> } {
  const error = AerialError.from(e);
  return { status: STATUS[error.name] ?? 500, body: { error: error.toJSON() } };
}

export function notFound(what: string): AerialError & { statusCode: number } {
  return Object.assign(new AerialError('Aerial.InvalidInput', `no ${what}`), { statusCode: 404 });
}

/**
 * Every error as the contracts' error body: invalid requests (schema validation, fastify's own
 * 4xx such as an oversized body) as `Aerial.InvalidInput`, ours with their status.
 */
export function errorHandler(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const e = error as Error & { statusCode?: number; validation?: unknown; code?: string };
  if (e.validation) return reply.code(400).send({ error: { name: 'Aerial.InvalidInput', reason: e.message } });
  if (e.statusCode && e.statusCode < 500 && !(e instanceof AerialError)) {
    return reply.code(e.statusCode).send({ error: { name: 'Aerial.InvalidInput', reason: e.message } });
  }
  const { status, body } = errorReply(error);
  return reply.code((error as { statusCode?: number }).statusCode ?? status).send(body);
}
