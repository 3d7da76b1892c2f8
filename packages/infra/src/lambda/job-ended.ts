import { ExecutionInputSchema, JobIdSchema, type StageInvocation } from '@aerial/contracts';

/** EventBridge's "Step Functions Execution Status Change" event (the fields Notify needs). */
export interface ExecutionStatusChange {
  readonly 'detail-type': 'Step Functions Execution Status Change';
  readonly detail: {
    readonly executionArn: string;
    readonly name: string;
    readonly status: string;
    readonly input?: string | null;
    readonly error?: string | null;
    readonly cause?: string | null;
  };
}

export function isExecutionStatusChange(event: unknown): event is ExecutionStatusChange {
  return (
    typeof event === 'object' &&
    event !== null &&
    (event as { 'detail-type'?: unknown })['detail-type'] === 'Step Functions Execution Status Change'
  );
}

/**
 * The Notify invocation for a job that ended on its own terms rather than the state machine's:
 * the whole-job timeout and an abort end the execution at once (no state can catch them), and a
 * failure whose Notify state failed ends it unreported. The request comes from the execution input,
 * so a job stopped before its first stage stored it is still reported to the right targets.
 * Undefined for an execution that is not an Aerial job or did not end that way.
 */
export function notifyInvocationFor(event: ExecutionStatusChange, notifyStage: string): StageInvocation | undefined {
  const { detail } = event;
  const failure = failureOf(detail);
  if (!failure) return undefined;
  const input = parseInput(detail.input);
  const jobId = input?.jobId ?? (JobIdSchema.safeParse(detail.name).success ? detail.name : undefined);
  if (!jobId) return undefined;
  return {
    jobId,
    stage: notifyStage as StageInvocation['stage'],
    attempt: 1,
    outcome: 'failed',
    failure,
    ...(input ? { request: input.request } : {}),
  };
}

function failureOf(detail: ExecutionStatusChange['detail']): { Error: string; Cause: string } | undefined {
  switch (detail.status) {
    case 'TIMED_OUT':
      return { Error: 'States.Timeout', Cause: detail.cause || 'the job took longer than its time limit' };
    case 'ABORTED':
      // Named as the local engine names a stop, so Notify words it the same on every engine.
      return { Error: 'Aerial.Cancelled', Cause: detail.cause || 'the job was stopped before it finished' };
    case 'FAILED':
      return { Error: detail.error || 'States.Runtime', Cause: detail.cause || 'the job failed' };
    default:
      return undefined;
  }
}

function parseInput(text: string | null | undefined) {
  if (!text) return undefined;
  try {
    const parsed = ExecutionInputSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
