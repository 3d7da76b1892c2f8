import { type z } from 'zod';
import { AerialError } from './errors';

/**
 * Validates a value that enters a package or process boundary. Failures become
 * `Aerial.InvalidInput` naming every bad field, so the caller sees all problems at once.
 */
export function parseAtBoundary<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const path = issue.path.length ? issue.path.map(String).join('.') : '(root)';
    return `${path}: ${issue.message}`;
  });
  throw new AerialError(
    'Aerial.InvalidInput',
    `invalid ${what}: ${problems.join('; ')}`,
    `fix the ${what} and try again`,
  );
}
