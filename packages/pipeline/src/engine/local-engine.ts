import './node20-compat';
import {
  AerialError,
  type AerialErrorPayload,
  type ExecutionInput,
  ExecutionInputSchema,
  parseAtBoundary,
  type PipelineEvent,
  STAGE_NAMES,
  type StageName,
  TRANSIENT_EXIT_CODE,
} from '@aerial/contracts';
import type * as LocalStepFunctions from 'aws-local-stepfunctions';
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { type AslDocument, type AslState, STATE, substitute, substitution } from '../asl/render-asl';
import { assertValidAsl } from '../asl/validate-asl';
import { type PipelineDefinition, stageOf } from '../definition/pipeline-definition';
import { type ExecutionRecord, type ExecutionStatus, type ExecutionStore, type HistoryEvent } from './execution-store';
import { type ContainerRunner } from './stage-process';

/** Runs a function (Lambda) stage; returns its small JSON result. */
export type FunctionRunner = (
  stage: StageName,
  payload: Record<string, unknown>,
  signal: AbortSignal,
) => Promise<unknown>;

export interface LocalEngineOptions {
  readonly definition: PipelineDefinition;
  /** The rendered ASL, placeholders unfilled: the same document CDK deploys. */
  readonly asl: AslDocument;
  readonly runContainer: ContainerRunner;
  readonly runFunction: FunctionRunner;
  readonly store: ExecutionStore;
  /** Container stages running at once. @default 2 */
  readonly concurrency?: number;
  /** Multiplies every retry wait; tests shrink it. @default 1 */
  readonly retryDelayScale?: number;
  /** How often a running execution checks for a stop request from another process. @default 500 */
  readonly stopPollMs?: number;
}

const REGION = 'local';
const ACCOUNT = '000000000000';
export const LOCAL_STATE_MACHINE_ARN = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:aerial-job`;
const executionArnOf = (name: string) => `arn:aws:states:${REGION}:${ACCOUNT}:execution:aerial-job:${name}`;
export const executionNameOf = (arn: string) => arn.split(':').pop() as string;

/** Local names for the ARNs CDK would inject; stages are recovered from them when tasks run. */
export function localSubstitutions(definition: PipelineDefinition): Record<string, string> {
  const values: Record<string, string> = {
    [substitution.jobQueueArnPrefix]: `arn:aws:batch:${REGION}:${ACCOUNT}:job-queue/aerial-local-`,
    [substitution.gpuJobQueueArnPrefix]: `arn:aws:batch:${REGION}:${ACCOUNT}:job-queue/aerial-local-gpu-`,
  };
  for (const stage of definition.stages) {
    if (stage.kind === 'function') {
      values[substitution.functionArn(stage.name)] =
        `arn:aws:lambda:${REGION}:${ACCOUNT}:function:aerial-${stage.name}`;
    } else {
      values[substitution.jobDefinitionArn(stage.name)] =
        `arn:aws:batch:${REGION}:${ACCOUNT}:job-definition/aerial-${stage.name}`;
    }
  }
  return values;
}

interface Running {
  readonly record: ExecutionRecord;
  readonly controller: AbortController;
  readonly jobId: string;
  abort?: () => void;
  done: Promise<void>;
}

export interface LocalEngineEvents {
  event: [PipelineEvent];
  execution: [ExecutionRecord];
}

/**
 * The embedded engine: runs the deployed ASL with aws-local-stepfunctions. Batch tasks become
 * child processes of the stage containers' entrypoints, retried on the transient exit code as the
 * Batch job definitions do; Lambda tasks run in-process. It adds what the library lacks: Node 20
 * support, task overrides matched by resource inside Parallel branches, a concurrency limit,
 * cancellation that stops running and queued tasks, persisted executions with history, and events.
 */
export class LocalEngine extends EventEmitter<LocalEngineEvents> {
  private readonly machine: LocalStepFunctions.StateMachine;
  private readonly tasks: Map<string, { stage: StageName; kind: 'function' | 'container' }>;
  private readonly running = new Map<string, Running>();
  private slots: number;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly options: LocalEngineOptions) {
    super();
    const asl = substitute(options.asl, localSubstitutions(options.definition));
    assertValidAsl(asl);
    this.tasks = taskStates(asl);
    // Required here, not at the top: every stage process loads this package and never runs an engine.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { StateMachine } = require('aws-local-stepfunctions') as typeof LocalStepFunctions;
    this.machine = new StateMachine(asl as never, { validationOptions: { checkArn: false } });
    this.slots = options.concurrency ?? 2;
  }

  /** StartExecution: validates the input, persists the record, and runs it in the background. */
  async startExecution(params: { name?: string; input: unknown }): Promise<{ executionArn: string; startDate: Date }> {
    const input = parseAtBoundary(ExecutionInputSchema, params.input, 'execution input');
    const name = params.name ?? input.jobId;
    if (this.options.store.exists(name)) {
      throw new AerialError(
        'Aerial.InvalidInput',
        `an execution named ${name} already exists`,
        'give each job its own id',
      );
    }
    const startDate = new Date();
    const record: ExecutionRecord = {
      executionArn: executionArnOf(name),
      stateMachineArn: LOCAL_STATE_MACHINE_ARN,
      name,
      status: 'RUNNING',
      startDate: startDate.toISOString(),
      input: JSON.stringify(input),
      ownerPid: process.pid,
      history: [],
    };
    await this.options.store.save(record);
    const run: Running = { record, controller: new AbortController(), jobId: input.jobId, done: Promise.resolve() };
    this.running.set(name, run);
    run.done = this.execute(run, input).finally(() => this.running.delete(name));
    return { executionArn: record.executionArn, startDate };
  }

  /** Resolves when the execution has ended; returns its final record. */
  async waitFor(executionArn: string): Promise<ExecutionRecord> {
    const name = executionNameOf(executionArn);
    await this.running.get(name)?.done;
    const record = await this.options.store.get(name);
    if (!record) throw new AerialError('Aerial.InvalidInput', `no execution ${executionArn}`);
    return record;
  }

  async describeExecution(executionArn: string): Promise<ExecutionRecord | undefined> {
    const name = executionNameOf(executionArn);
    return this.running.get(name)?.record ?? (await this.options.store.get(name));
  }

  async listExecutions(status?: ExecutionStatus): Promise<ExecutionRecord[]> {
    // Which runs are live is read before the files: a run that ends while the files are read has
    // saved its final record before leaving `running`, so either its file or its live record is final.
    const live = new Map([...this.running].map(([name, run]) => [name, run.record]));
    const records = await this.options.store.list();
    return records.map((r) => live.get(r.name) ?? r).filter((r) => !status || r.status === status);
  }

  /** StopExecution: aborts the run, kills its containers, and starts nothing further. */
  async stopExecution(executionArn: string, reason: { error?: string; cause?: string } = {}): Promise<Date> {
    const name = executionNameOf(executionArn);
    const run = this.running.get(name);
    if (run) {
      this.stop(run, reason);
      await run.done;
    } else {
      const record = await this.options.store.get(name);
      if (!record) throw new AerialError('Aerial.InvalidInput', `no execution ${executionArn}`);
      // Run by another process: it polls for this request.
      if (record.status === 'RUNNING') await this.options.store.requestStop(name, reason);
    }
    return new Date();
  }

  private stop(run: Running, reason: { error?: string; cause?: string }): void {
    if (run.controller.signal.aborted) return;
    run.record.error = reason.error ?? 'Aerial.Cancelled';
    run.record.cause = reason.cause ?? 'stopped by request';
    run.controller.abort();
    run.abort?.();
  }

  private async execute(run: Running, input: ExecutionInput): Promise<void> {
    const { record } = run;
    const history = new HistoryRecorder(record);
    const handlers = Object.fromEntries(
      [...this.tasks].map(([state, task]) => [state, (payload: unknown) => this.runTask(run, state, task, payload)]),
    );
    const execution = this.machine.run(input as never, {
      overrides: { taskResourceLocalHandlers: handlers as never, retryIntervalOverrides: this.retryOverrides() },
      context: {
        Execution: { Id: record.executionArn, Name: record.name, StartTime: record.startDate, Input: input as never },
        StateMachine: { Id: record.stateMachineArn, Name: 'aerial-job' },
      } as never,
    });
    run.abort = execution.abort;
    if (run.controller.signal.aborted) execution.abort();
    const poll = setInterval(() => {
      void this.options.store.takeStopRequest(record.name).then((request) => request && this.stop(run, request));
    }, this.options.stopPollMs ?? 500);

    const caught = new Set<string>();
    const consumeLogs = (async () => {
      for await (const log of execution.eventLogs) {
        history.add(log);
        const event = toPipelineEvent(run.jobId, log as unknown as LibraryEvent, caught);
        if (event) this.emit('event', event);
      }
    })().catch(() => undefined);

    let status: ExecutionStatus;
    try {
      const output = await execution.result;
      status = 'SUCCEEDED';
      record.output = JSON.stringify(output);
    } catch (e) {
      const err = e as Error & { name: string; cause?: unknown };
      if (run.controller.signal.aborted || err.name === 'ExecutionAbortedError') status = 'ABORTED';
      else if (err.name === 'ExecutionTimeoutError') {
        status = 'TIMED_OUT';
        record.error = 'States.Timeout';
        record.cause = `the job exceeded its ${this.options.definition.timeoutSeconds} s limit`;
      } else {
        status = 'FAILED';
        const failed = failureOf(err);
        record.error = failed.error;
        record.cause = failed.cause;
      }
    } finally {
      clearInterval(poll);
    }
    await consumeLogs;
    record.status = status;
    record.stopDate = new Date().toISOString();
    if (status === 'ABORTED')
      history.push('ExecutionAborted', { executionAbortedEventDetails: { error: record.error, cause: record.cause } });
    if (status === 'TIMED_OUT')
      history.push('ExecutionTimedOut', {
        executionTimedOutEventDetails: { error: record.error, cause: record.cause },
      });
    await this.options.store.save(record);
    const at = record.stopDate;
    if (status === 'ABORTED') this.emit('event', { type: 'job.cancelled', jobId: run.jobId, at });
    if (status === 'TIMED_OUT') {
      this.emit('event', {
        type: 'job.failed',
        jobId: run.jobId,
        at,
        error: { name: 'Aerial.Transient', reason: record.cause as string },
      });
    }
    this.emit('execution', record);
  }

  private retryOverrides(): Record<string, number[]> | undefined {
    const scale = this.options.retryDelayScale ?? 1;
    if (scale === 1) return undefined;
    const overrides: Record<string, number[]> = {};
    for (const [state, task] of this.tasks) {
      const { retry } = stageOf(this.options.definition, task.stage);
      overrides[state] = Array.from(
        { length: retry.attempts },
        (_, k) => retry.intervalSeconds * retry.backoffRate ** k * 1000 * scale,
      );
    }
    return overrides;
  }

  private async runTask(
    run: Running,
    state: string,
    task: { stage: StageName; kind: 'function' | 'container' },
    payload: unknown,
  ): Promise<unknown> {
    const signal = run.controller.signal;
    if (signal.aborted) throw cancelled();
    if (task.kind === 'function') {
      const body = (payload as { Payload?: Record<string, unknown> }).Payload ?? {};
      try {
        return { StatusCode: 200, Payload: await this.options.runFunction(task.stage, body, signal) };
      } catch (e) {
        // As Lambda reports it: the error's name, and a JSON cause carrying its message.
        const error = AerialError.from(e);
        throw namedError(error.name, JSON.stringify({ errorType: error.name, errorMessage: error.reason }));
      }
    }
    return this.runContainerTask(run, state, task.stage, payload as BatchParameters);
  }

  /** One Batch job: attempts retried on the transient exit code, as the job definition says. */
  private async runContainerTask(
    run: Running,
    state: string,
    stage: StageName,
    params: BatchParameters,
  ): Promise<unknown> {
    const { retry } = stageOf(this.options.definition, stage);
    const signal = run.controller.signal;
    const environment = Object.fromEntries(
      (params.ContainerOverrides?.Environment ?? []).map((e) => [e.Name, e.Value]),
    );
    let last: { reason: string; error?: AerialErrorPayload } = { reason: 'not run' };
    for (let attempt = 1; attempt <= retry.attempts; attempt++) {
      await this.acquire(signal);
      let outcome;
      try {
        if (signal.aborted) throw cancelled();
        outcome = await this.options.runContainer({
          stage,
          environment: { ...environment, AERIAL_STAGE_ATTEMPT: String(attempt) },
          signal,
          onProgress: (percent, message) =>
            this.emit('event', {
              type: 'stage.progress',
              jobId: run.jobId,
              at: new Date().toISOString(),
              stage,
              percent,
              ...(message ? { message } : {}),
            }),
        });
      } finally {
        this.release();
      }
      if (signal.aborted) throw cancelled();
      if (outcome.exitCode === 0)
        return {
          JobName: params.JobName,
          JobId: `${run.record.name}-${state}-${attempt}`,
          Status: 'SUCCEEDED',
          Attempts: attempt,
        };
      last = {
        reason: outcome.error
          ? `${outcome.error.name}: ${outcome.error.reason}`
          : `exit code ${outcome.exitCode ?? outcome.signal}: ${outcome.stderrTail.slice(-500)}`,
        error: outcome.error,
      };
      this.emit('event', {
        type: 'stage.failed',
        jobId: run.jobId,
        at: new Date().toISOString(),
        stage,
        error: outcome.error ?? { name: 'Aerial.Internal', reason: last.reason },
      });
      if (outcome.exitCode !== TRANSIENT_EXIT_CODE || attempt === retry.attempts) break;
      const wait =
        retry.intervalSeconds * retry.backoffRate ** (attempt - 1) * 1000 * (this.options.retryDelayScale ?? 1);
      await sleep(wait, undefined, { signal }).catch(() => undefined);
      this.emit('event', {
        type: 'stage.started',
        jobId: run.jobId,
        at: new Date().toISOString(),
        stage,
        attempt: attempt + 1,
      });
    }
    // What Step Functions reports for a failed Batch job: the job description as the cause.
    throw namedError(
      'States.TaskFailed',
      JSON.stringify({ JobName: params.JobName, Status: 'FAILED', StatusReason: last.reason }),
    );
  }

  private async acquire(signal: AbortSignal): Promise<void> {
    while (this.slots === 0) {
      if (signal.aborted) throw cancelled();
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.slots--;
  }

  private release(): void {
    this.slots++;
    this.waiting.shift()?.();
  }
}

interface BatchParameters {
  JobName?: string;
  ContainerOverrides?: { Environment?: { Name: string; Value: string }[] };
}

function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

function cancelled(): Error {
  return namedError('Aerial.Cancelled', 'the execution was stopped');
}

/** Task states of a document, inside Parallel branches too, with the stage each one runs. */
function taskStates(asl: {
  States: Record<string, AslState>;
}): Map<string, { stage: StageName; kind: 'function' | 'container' }> {
  const found = new Map<string, { stage: StageName; kind: 'function' | 'container' }>();
  const visit = (states: Record<string, AslState>) => {
    for (const [name, state] of Object.entries(states)) {
      for (const branch of (state.Branches as { States: Record<string, AslState> }[] | undefined) ?? [])
        visit(branch.States);
      if (state.Type !== 'Task') continue;
      const params = state.Parameters as { FunctionName?: string; JobDefinition?: string };
      const target = params.FunctionName ?? params.JobDefinition ?? '';
      const stage = /aerial-([A-Za-z]+)$/.exec(target)?.[1] as StageName | undefined;
      if (!stage || !STAGE_NAMES.includes(stage))
        throw new Error(`task state ${name} names no Aerial stage (${target})`);
      found.set(name, { stage, kind: params.FunctionName ? 'function' : 'container' });
    }
  };
  visit(asl.States);
  return found;
}

function failureOf(err: Error & { cause?: unknown }): { error: string; cause: string } {
  // The library wraps a Fail state's Error/Cause in an ExecutionError.
  const inner = err.cause as { name?: string; message?: string } | undefined;
  return { error: inner?.name ?? err.name, cause: inner?.message ?? err.message };
}

interface LibraryEvent {
  type: string;
  timestamp: number;
  input?: unknown;
  output?: unknown;
  Error?: string;
  Cause?: unknown;
  state?: { name: string; type: string; input?: unknown; output?: unknown };
  retry?: { attempt: number };
}

function stageOfState(name: string): StageName | undefined {
  if (name === STATE.notifySuccess || name === STATE.notifyFailure) return 'Notify';
  return (STAGE_NAMES as readonly string[]).includes(name) ? (name as StageName) : undefined;
}

/** `caught`: task states of this run left through their Catch, whose exit is no success. */
function toPipelineEvent(jobId: string, log: LibraryEvent, caught: Set<string>): PipelineEvent | undefined {
  const at = new Date(log.timestamp).toISOString();
  switch (log.type) {
    case 'ExecutionStarted':
      return { type: 'job.started', jobId, at };
    case 'ExecutionSucceeded':
      return { type: 'job.succeeded', jobId, at };
    case 'ExecutionFailed': {
      const name = AerialError.from({ name: log.Error, reason: String(log.Cause ?? log.Error) });
      return { type: 'job.failed', jobId, at, error: { name: name.name, reason: String(log.Cause ?? log.Error) } };
    }
  }
  const stage = log.state && log.state.type === 'Task' ? stageOfState(log.state.name) : undefined;
  if (!stage || !log.state) return undefined;
  // A job's status names the stage of its last stage event (`job.failed` carries none), so the
  // failure hand-off must not be one: reported as Notify running, it renamed the failed stage
  // "Notify" (issue 18). Its outcome is in notification.json, its run in the execution history.
  if (log.state.name === STATE.notifyFailure) return undefined;
  if (log.type === 'StateCaught') caught.add(log.state.name);
  if (log.type === 'StateExited' && caught.delete(log.state.name)) return undefined;
  if (log.type === 'StateEntered') return { type: 'stage.started', jobId, at, stage, attempt: 1 };
  if (log.type === 'StateExited') return { type: 'stage.succeeded', jobId, at, stage };
  if (log.type === 'StateRetried')
    return { type: 'stage.started', jobId, at, stage, attempt: (log.retry?.attempt ?? 0) + 1 };
  if (log.type === 'StateFailed' && !(log.Error ?? '').startsWith('States.TaskFailed')) {
    // Container failures were already reported with their named error by the engine.
    return {
      type: 'stage.failed',
      jobId,
      at,
      stage,
      error: AerialError.from({ name: log.Error, reason: lambdaMessage(log.Cause) }).toJSON(),
    };
  }
  return undefined;
}

function lambdaMessage(cause: unknown): string {
  if (typeof cause !== 'string') return String(cause ?? 'no detail');
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string };
    return parsed.errorMessage ?? cause;
  } catch {
    return cause;
  }
}

/** Keeps an execution's history in the Step Functions API's event shape. */
class HistoryRecorder {
  constructor(private readonly record: ExecutionRecord) {}

  push(type: string, details: Record<string, unknown>, timestamp = Date.now()): void {
    const id = this.record.history.length + 1;
    const event: HistoryEvent = {
      id,
      previousEventId: id - 1,
      timestamp: new Date(timestamp).toISOString(),
      type,
      details,
    };
    this.record.history.push(event);
  }

  add(log: unknown): void {
    const e = log as LibraryEvent;
    const json = (v: unknown) => JSON.stringify(v ?? null);
    switch (e.type) {
      case 'ExecutionStarted':
        return this.push('ExecutionStarted', { executionStartedEventDetails: { input: json(e.input) } }, e.timestamp);
      case 'ExecutionSucceeded':
        return this.push(
          'ExecutionSucceeded',
          { executionSucceededEventDetails: { output: json(e.output) } },
          e.timestamp,
        );
      case 'ExecutionFailed':
        return this.push(
          'ExecutionFailed',
          { executionFailedEventDetails: { error: e.Error, cause: String(e.Cause ?? '') } },
          e.timestamp,
        );
      case 'StateEntered':
        return this.push(
          `${e.state!.type}StateEntered`,
          { stateEnteredEventDetails: { name: e.state!.name, input: json(e.state!.input) } },
          e.timestamp,
        );
      case 'StateExited':
        return this.push(
          `${e.state!.type}StateExited`,
          { stateExitedEventDetails: { name: e.state!.name, output: json(e.state!.output) } },
          e.timestamp,
        );
      case 'StateFailed':
        return this.push(
          'TaskFailed',
          { taskFailedEventDetails: { resourceType: e.state!.name, error: e.Error, cause: String(e.Cause ?? '') } },
          e.timestamp,
        );
    }
  }
}
