import { z } from 'zod';

/**
 * Named errors every stage may fail with. The orchestrators match on these names: Retry rules
 * list the transient ones, Catch rules route the rest to "record failure, notify, fail".
 */
export const AERIAL_ERROR_NAMES = [
  'Aerial.InvalidInput',
  'Aerial.QualityRejected',
  'Aerial.BudgetExceeded',
  'Aerial.ToolMissing',
  'Aerial.Transient',
  'Aerial.Cancelled',
  'Aerial.Internal',
] as const;

export const AerialErrorNameSchema = z.enum(AERIAL_ERROR_NAMES);
export type AerialErrorName = z.infer<typeof AerialErrorNameSchema>;

/** Errors worth retrying with backoff; every other name is permanent. */
export const TRANSIENT_ERROR_NAMES: readonly AerialErrorName[] = ['Aerial.Transient'];

/** The serialized form of an {@link AerialError}: what crosses process boundaries. */
export const AerialErrorPayloadSchema = z.object({
  name: AerialErrorNameSchema,
  reason: z.string().min(1).describe('what went wrong, specific to this input'),
  remedy: z.string().min(1).optional().describe('what the user can do next'),
});
export type AerialErrorPayload = z.infer<typeof AerialErrorPayloadSchema>;

/** An error with a name the orchestrator understands, a reason, and what to do next. */
export class AerialError extends Error {
  override readonly name: AerialErrorName;
  readonly reason: string;
  readonly remedy: string | undefined;

  constructor(name: AerialErrorName, reason: string, remedy?: string) {
    super(remedy ? `${reason}; ${remedy}` : reason);
    this.name = name;
    this.reason = reason;
    this.remedy = remedy;
  }

  get transient(): boolean {
    return TRANSIENT_ERROR_NAMES.includes(this.name);
  }

  toJSON(): AerialErrorPayload {
    return { name: this.name, reason: this.reason, ...(this.remedy ? { remedy: this.remedy } : {}) };
  }

  /** Rebuilds an error from its payload, or wraps anything else as `Aerial.Internal`. */
  static from(value: unknown): AerialError {
    if (value instanceof AerialError) return value;
    const parsed = AerialErrorPayloadSchema.safeParse(value);
    if (parsed.success) return new AerialError(parsed.data.name, parsed.data.reason, parsed.data.remedy);
    const message = value instanceof Error ? value.message : String(value);
    return new AerialError('Aerial.Internal', message || 'unknown error');
  }
}
