import { AerialError, type AerialErrorName } from '@aerial/contracts';
import { z } from 'zod';

export const ErrorBodySchema = z.object({
  error: z.object({ name: z.string(), reason: z.string(), remedy: z.string().optional() }),
});

const STATUS: Partial<Record<AerialErrorName, number>> = {
  'Aerial.InvalidInput': 400,
  'Aerial.BudgetExceeded': 402,
  'Aerial.QualityRejected': 422,
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
