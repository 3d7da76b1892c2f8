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
  'Aerial.JobStateConflict',
  'Aerial.Internal',
] as const;

export const AerialErrorNameSchema = z.enum(AERIAL_ERROR_NAMES);
export type AerialErrorName = z.infer<typeof AerialErrorNameSchema>;

/** What a named error means and what to do about it: the errors reference is rendered from this. */
export interface AerialErrorDoc {
  readonly meaning: string;
  readonly remedy: string;
}

/**
 * The meaning and general remedy of every named error, beside the names so a new name does not
 * compile without them. The error's own `remedy` (specific to the input) comes first; this is the
 * reference an operator reads when a job failed with the name only.
 */
export const AERIAL_ERRORS: { readonly [N in AerialErrorName]: AerialErrorDoc } = {
  'Aerial.InvalidInput': {
    meaning:
      'The request or its data cannot be processed as given: a malformed job request, an unknown command or preset, an archive without readable photos, or a missing API key.',
    remedy:
      "Read the error's reason: it names the field or file at fault. Fix the request or the photo set and submit a new job; retrying the same input fails the same way.",
  },
  'Aerial.QualityRejected': {
    meaning:
      'The photos were read but fail the quality checks the stage needs: too few photos, too little overlap, no usable GPS, or footprints that do not register.',
    remedy:
      'Fly with more overlap or add photos of the area, check that the camera wrote GPS tags, or choose a lighter preset (survey) for this set.',
  },
  'Aerial.BudgetExceeded': {
    meaning:
      "GuardBudget estimated the job's cost above the environment's per-job limit or what its monthly budget has left, and refused it before any compute started.",
    remedy:
      'Submit fewer photos or a lighter preset, wait for the next budget month, or raise budget.maxJobUsd or budget.monthlyUsd in the environment config if the spend is intended.',
  },
  'Aerial.ToolMissing': {
    meaning: 'A program the stage runs (COLMAP for SfM, a splat trainer) is not installed where the stage runs.',
    remedy:
      'Install the tool the reason names (for COLMAP: apt-get install colmap, or set COLMAP_BINARY), or use the worker image that holds it; presets without the stage do not need it.',
  },
  'Aerial.Transient': {
    meaning:
      'A temporary failure outside the job: a throttled or unreachable object store, broker or AWS API. The orchestrators retry it with backoff.',
    remedy:
      'Nothing, usually: the retry succeeds. If every attempt failed, check the dependency the reason names (S3, MQTT broker, network) and resubmit the job.',
  },
  'Aerial.Cancelled': {
    meaning: 'The job was stopped (aerial cancel, the Hub, or the job deadline) while this stage ran.',
    remedy:
      'Nothing to fix: submit the job again if it was stopped by mistake, or with a smaller photo set if its deadline passed.',
  },
  'Aerial.JobStateConflict': {
    meaning:
      'The action does not apply to the job as it stands: only a queued or running job can be cancelled, only a failed, cancelled or timed-out job can be resumed, and only an ended job can be retried.',
    remedy:
      "Read the job's status (GET /api/jobs/{jobId}) and choose the action it allows: cancel while it runs, resume or retry once it has ended; a job the engine can no longer resume (Step Functions keeps an execution redrivable for 14 days) can still be retried.",
  },
  'Aerial.Internal': {
    meaning: 'An error the code did not name: a bug, or a failure nobody classified yet.',
    remedy:
      "Read the stage's log for the stack trace, then open an issue with the job id and the reason; resubmitting may work if the cause was passing.",
  },
};

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
