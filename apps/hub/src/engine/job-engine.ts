import { AerialError, type JobRequest } from '@aerial/contracts';
import {
  DescribeExecutionCommand,
  ExecutionNotRedrivable,
  ListExecutionsCommand,
  RedriveExecutionCommand,
  type SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';

/** How an engine reports a job, in Step Functions' words (the Hub's API keeps them). */
export interface EngineExecution {
  readonly status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';
  readonly error?: string;
  readonly cause?: string;
  /** When it ended (ISO 8601), for an execution that has. */
  readonly stopDate?: string;
}

/** Where the Hub runs jobs: Step Functions (AWS, or the local engine behind its API) or Argo Workflows. */
export interface JobEngine {
  readonly name: string;
  /** Starts the job; returns the engine's reference to it (an execution ARN, a workflow name). */
  start(jobId: string, request: JobRequest): Promise<string>;
  describe(ref: string): Promise<EngineExecution | undefined>;
  stop(ref: string, cause: string): Promise<void>;
  /**
   * Runs an ended job again from the stage it failed or was stopped in, keeping what its earlier
   * stages made; throws `Aerial.JobStateConflict` when the engine cannot resume it.
   */
  resume(ref: string): Promise<void>;
  /** Throws when the engine cannot be reached (readiness). */
  ping(): Promise<void>;
}

export class StepFunctionsEngine implements JobEngine {
  readonly name = 'step-functions';

  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(jobId: string, request: JobRequest): Promise<string> {
    const out = await this.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: this.stateMachineArn,
        name: jobId,
        input: JSON.stringify({ jobId, request }),
      }),
    );
    return out.executionArn as string;
  }

  async describe(ref: string): Promise<EngineExecution | undefined> {
    const out = await this.sfn.send(new DescribeExecutionCommand({ executionArn: ref })).catch(() => undefined);
    if (!out) return undefined;
    return {
      status: String(out.status) as EngineExecution['status'],
      ...(out.error ? { error: out.error } : {}),
      ...(out.cause ? { cause: out.cause } : {}),
      ...(out.stopDate ? { stopDate: out.stopDate.toISOString() } : {}),
    };
  }

  async stop(ref: string, cause: string): Promise<void> {
    await this.sfn.send(new StopExecutionCommand({ executionArn: ref, cause }));
  }

  /** RedriveExecution: Step Functions reruns the failed or stopped states, not the succeeded ones. */
  async resume(ref: string): Promise<void> {
    try {
      await this.sfn.send(new RedriveExecutionCommand({ executionArn: ref }));
    } catch (e) {
      if (e instanceof ExecutionNotRedrivable)
        throw new AerialError('Aerial.JobStateConflict', `Step Functions cannot resume this job: ${e.message}`);
      throw e;
    }
  }

  async ping(): Promise<void> {
    await this.sfn.send(new ListExecutionsCommand({ stateMachineArn: this.stateMachineArn, maxResults: 1 }));
  }
}
