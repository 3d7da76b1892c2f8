import './node20-compat';
import {
  AERIAL_ERROR_NAMES,
  AerialError,
  LOCAL_ENGINE,
  LOCAL_STATE_MACHINE_ARN,
  PIPELINE_NAME,
  type AerialErrorName,
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
import { type AslDocument, type AslState, localSubstitutions, STATE, substitute } from '@aerial/definition';
import { assertValidAsl } from '@aerial/definition';
import { type PipelineDefinition, stageOf } from '@aerial/definition';
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
  /** Multiplies every container stage's per-attempt time limit; tests shrink it. @default 1 */
  readonly timeoutScale?: number;
  /**
   * Who publishes a container stage's own events (started, progress, succeeded, and a failure it
   * named): `stage` when the stage processes do (the workers' entrypoint publishes to MQTT_URL, as
   * on Batch and Argo); `engine` when the runner runs stages in this process. The engine emits them
   * either way; {@link EventOrigin} tells a publisher which ones are already sent. @default 'engine'
   */
  readonly containerEvents?: EventOrigin;
}

/** Who publishes an event: the engine (its publisher must send it), or the stage process itself. */
export type EventOrigin = 'engine' | 'stage';

const { region: REGION, account: ACCOUNT } = LOCAL_ENGINE;
const executionArnOf = (name: string) => `arn:aws:states:${REGION}:${ACCOUNT}:execution:${PIPELINE_NAME}:${name}`;
export const executionNameOf = (arn: string) => arn.split(':').pop() as string;

interface Running {
  readonly record: ExecutionRecord;
  readonly controller: AbortController;
  readonly jobId: string;
  readonly history: HistoryRecorder;
  /** Order of submission: waiting tasks of earlier jobs get container slots first. */
  readonly sequence: number;
  /** Task states finished by an earlier run of this execution (a resumed run skips them). */
  readonly resumed: ReadonlySet<string>;
  /** A run of an execution that ran before (taken over or redriven): its start is not a new one. */
  readonly redriven: boolean;
  /** The stage last started, and the stage whose failure ended the run. */
  stage?: StageName;
  failedStage?: StageName;
  abort?: () => void;
  done: Promise<void>;
  /** Saves of the record, one at a time (they share a temporary file). */
  saving: Promise<void>;
  /** Stage runs in progress, so that a stopped job is notified once they have ended. */
  readonly inflight: Set<Promise<unknown>>;
}

/** How long a stopped job's stages get to end (SIGTERM, then SIGKILL) before Notify runs anyway. */
const SETTLE_MS = 10_000;

export interface LocalEngineEvents {
  event: [PipelineEvent, EventOrigin];
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
  /** Tasks waiting for a container slot, first come first served. */
  private readonly waiting: { resolve: () => void; sequence: number }[] = [];
  private submitted = 0;

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
    // Taken before anything is awaited: the order of the calls is the order of submission.
    const sequence = this.submitted++;
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
    this.launch(record, input, sequence);
    return { executionArn: record.executionArn, startDate };
  }

  private launch(record: ExecutionRecord, input: ExecutionInput, sequence = this.submitted++): void {
    const run: Running = {
      record,
      controller: new AbortController(),
      jobId: input.jobId,
      history: new HistoryRecorder(record),
      sequence,
      resumed: new Set(Object.keys(record.completedTasks ?? {})),
      redriven: (record.redriveCount ?? 0) > 0,
      done: Promise.resolve(),
      saving: Promise.resolve(),
      inflight: new Set(),
    };
    this.running.set(record.name, run);
    run.done = this.execute(run, input).finally(() => this.running.delete(record.name));
  }

  /**
   * Takes over the executions whose engine process ended while they ran (killed, crashed, the
   * machine restarted) and runs them again from where they stopped: the tasks they finished are
   * not run again, the one cut off is retried from its start (stages overwrite their own keys,
   * so its outputs are as if it had run once). In Step Functions' terms a redrive; the history
   * says so. Returns the names taken over.
   */
  async resumeOrphaned(): Promise<string[]> {
    const taken: string[] = [];
    for (const record of await this.options.store.orphans()) {
      if (this.running.has(record.name) || !(await this.options.store.claim(record.name))) continue;
      const previousOwner = record.ownerPid;
      record.ownerPid = process.pid;
      record.redriveCount = (record.redriveCount ?? 0) + 1;
      new HistoryRecorder(record).push('ExecutionRedriven', {
        executionRedrivenEventDetails: {
          redriveCount: record.redriveCount,
          cause: `the engine process (pid ${previousOwner}) ended while the job ran`,
        },
      });
      await this.options.store.save(record);
      await this.options.store.release(record.name);
      const input = parseAtBoundary(ExecutionInputSchema, JSON.parse(record.input), 'execution input');
      this.launch(record, input);
      taken.push(record.name);
    }
    return taken;
  }

  /**
   * RedriveExecution: runs a FAILED, TIMED_OUT or ABORTED execution again from where it stopped,
   * as Step Functions does: the task states it finished are not run again (their results are
   * kept), the one that failed or was cut off runs from its start. Its Notify runs again, as the
   * redriven run ends anew. Returns the redrive date.
   */
  async redriveExecution(executionArn: string): Promise<Date> {
    const name = executionNameOf(executionArn);
    // A run that has ended (its final record is saved, so callers already see it FAILED) may not
    // have left `running` yet: wait for it, rather than answer that the execution does not exist.
    const live = this.running.get(name);
    if (live && live.record.status !== 'RUNNING') await live.done.catch(() => undefined);
    if (this.running.has(name)) throw notRedrivable(`execution ${name} is RUNNING`);
    const record = await this.options.store.get(name);
    if (!record) throw new AerialError('Aerial.InvalidInput', `no execution ${executionArn}`);
    if (!REDRIVABLE.includes(record.status) || !(await this.options.store.claim(name)))
      throw notRedrivable(`execution ${name} is ${record.status}: only a FAILED, TIMED_OUT or ABORTED one is redriven`);
    try {
      // Read again under the claim: another process may have redriven it meanwhile.
      const current = await this.options.store.get(name);
      if (!current || !REDRIVABLE.includes(current.status) || this.running.has(name))
        throw notRedrivable(`execution ${name} is ${current?.status ?? 'gone'}`);
      const redriveDate = new Date();
      const { stopDate: _stop, output: _output, error: _error, cause: _cause, notifyError: _n, ...kept } = current;
      const redriven: ExecutionRecord = {
        ...kept,
        status: 'RUNNING',
        ownerPid: process.pid,
        redriveCount: (current.redriveCount ?? 0) + 1,
        redriveDate: redriveDate.toISOString(),
        completedTasks: withoutNotify(current.completedTasks),
      };
      new HistoryRecorder(redriven).push('ExecutionRedriven', {
        executionRedrivenEventDetails: { redriveCount: redriven.redriveCount },
      });
      await this.options.store.save(redriven);
      this.launch(redriven, parseAtBoundary(ExecutionInputSchema, JSON.parse(redriven.input), 'execution input'));
      return redriveDate;
    } finally {
      await this.options.store.release(name);
    }
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
    const { record, history } = run;
    const handlers = Object.fromEntries(
      [...this.tasks].map(([state, task]) => [state, (payload: unknown) => this.runTask(run, state, task, payload)]),
    );
    const execution = this.machine.run(input as never, {
      overrides: { taskResourceLocalHandlers: handlers as never, retryIntervalOverrides: this.retryOverrides() },
      context: {
        Execution: { Id: record.executionArn, Name: record.name, StartTime: record.startDate, Input: input as never },
        StateMachine: { Id: record.stateMachineArn, Name: PIPELINE_NAME },
      } as never,
    });
    run.abort = execution.abort;
    if (run.controller.signal.aborted) execution.abort();
    const poll = setInterval(() => {
      void this.options.store.takeStopRequest(record.name).then((request) => request && this.stop(run, request));
    }, this.options.stopPollMs ?? 500);

    const caught = new Set<string>();
    const consumeLogs = (async () => {
      for await (const raw of execution.eventLogs) {
        const log = raw as unknown as LibraryEvent;
        // A resumed run passes through the states its earlier process finished: their events
        // were published then, and the execution's start is not a new one.
        if (log.type === 'ExecutionStarted' ? run.redriven : log.state && run.resumed.has(log.state.name)) continue;
        history.add(log);
        if (log.type === 'StateCaught' && log.state?.type === 'Task') run.failedStage = stageOfState(log.state.name);
        const event = toPipelineEvent(run.jobId, log, caught);
        // A failure the engine saw from outside (a timeout) is the engine's to tell.
        const own = event?.type !== 'stage.failed' && log.state !== undefined && this.stageReports(log.state.name);
        if (event) this.emitFor(run, event, own ? 'stage' : 'engine');
      }
    })().catch(() => undefined);

    let status: ExecutionStatus;
    try {
      const output = await execution.result;
      status = 'SUCCEEDED';
      record.output = JSON.stringify(output);
    } catch (e) {
      const err = e as Error & { name: string; cause?: unknown };
      if (err.name === 'ExecutionTimeoutError' && !run.controller.signal.aborted) {
        status = 'TIMED_OUT';
        record.error = 'States.Timeout';
        record.cause = `the job exceeded its ${this.options.asl.TimeoutSeconds} s limit`;
      } else if (run.controller.signal.aborted || err.name === 'ExecutionAbortedError') status = 'ABORTED';
      else {
        status = 'FAILED';
        const failed = failureOf(err);
        record.error = failed.error;
        record.cause = failed.cause;
      }
    } finally {
      clearInterval(poll);
    }
    // The library stops scheduling on a timeout; this stops the containers still running.
    if (status === 'TIMED_OUT') run.controller.abort();
    await consumeLogs;
    const stopDate = new Date().toISOString();
    if (status === 'ABORTED')
      history.push('ExecutionAborted', { executionAbortedEventDetails: { error: record.error, cause: record.cause } });
    if (status === 'TIMED_OUT')
      history.push('ExecutionTimedOut', {
        executionTimedOutEventDetails: { error: record.error, cause: record.cause },
      });
    // A stopped or timed-out execution runs no Catch, so the state machine never reaches Notify;
    // on AWS an EventBridge rule on the status change would. Here the engine sends the notice.
    if (status === 'ABORTED' || status === 'TIMED_OUT') {
      // Notify after the stages have stopped, so that what they recorded on their way out is read.
      const settled = Promise.allSettled([...run.inflight]);
      await Promise.race([settled, sleep(SETTLE_MS)]);
      await this.notifyStopped(run, status);
    }
    // Final only now: whoever sees the execution ended (the Hub reconciling) sees it notified.
    record.status = status;
    record.stopDate = stopDate;
    await this.persist(run);
    this.emitFor(run, this.finalEvent(run, status));
    this.emit('execution', record);
  }

  /**
   * The job's last event, at the execution's stop date (so that whoever reconciles a job from
   * DescribeExecution writes the same event, not a second one), naming the stage it ended in.
   */
  private finalEvent(run: Running, status: ExecutionStatus): PipelineEvent {
    const { record } = run;
    const at = record.stopDate as string;
    const jobId = run.jobId;
    const stage = run.failedStage ?? run.stage;
    const inStage = stage ? { stage } : {};
    switch (status) {
      case 'SUCCEEDED':
      case 'RUNNING':
        return { type: 'job.succeeded', jobId, at };
      case 'ABORTED':
        return { type: 'job.cancelled', jobId, at, ...(run.stage ? { stage: run.stage } : {}) };
      case 'TIMED_OUT':
        return {
          type: 'job.failed',
          jobId,
          at,
          ...(run.stage ? { stage: run.stage } : {}),
          error: { name: 'Aerial.Transient', reason: record.cause as string },
        };
      case 'FAILED':
        return { type: 'job.failed', jobId, at, ...inStage, error: errorPayloadOf(record.error, record.cause) };
    }
  }

  /** Runs Notify with the job's failure after a stop or a timeout; its own failure is recorded, not raised. */
  private async notifyStopped(run: Running, status: 'ABORTED' | 'TIMED_OUT'): Promise<void> {
    const { record, history } = run;
    const notify = stageOf(this.options.definition, this.options.definition.notify);
    const reason = record.cause ?? (status === 'ABORTED' ? 'stopped by request' : 'the job timed out');
    const error: AerialErrorName = status === 'ABORTED' ? 'Aerial.Cancelled' : 'Aerial.Transient';
    const failure = { Error: error, Cause: JSON.stringify({ errorType: error, errorMessage: reason }) };
    const signal = AbortSignal.timeout(notify.timeoutSeconds * 1000);
    history.push('TaskStateEntered', {
      stateEnteredEventDetails: { name: STATE.notifyFailure, input: JSON.stringify({ jobId: run.jobId, failure }) },
    });
    try {
      if (notify.kind === 'function') {
        await this.options.runFunction(
          notify.name,
          { jobId: run.jobId, stage: notify.name, outcome: 'failed', failure },
          signal,
        );
      } else {
        const outcome = await this.options.runContainer({
          stage: notify.name,
          environment: {
            AERIAL_JOB_ID: run.jobId,
            AERIAL_STAGE: notify.name,
            AERIAL_OUTCOME: 'failed',
            AERIAL_FAILURE: reason,
          },
          signal,
          onProgress: () => undefined,
        });
        if (outcome.exitCode !== 0) throw new Error(outcome.error?.reason ?? `exit code ${outcome.exitCode}`);
      }
      history.push('TaskStateExited', { stateExitedEventDetails: { name: STATE.notifyFailure, output: '{}' } });
    } catch (e) {
      const failed = AerialError.from(e);
      record.notifyError = `${failed.name}: ${failed.reason}`;
      history.push('TaskFailed', {
        taskFailedEventDetails: { resourceType: STATE.notifyFailure, error: failed.name, cause: failed.reason },
      });
    }
  }

  /** Emits an event of a run, keeping track of the stage it is in. */
  private emitFor(run: Running, event: PipelineEvent, origin: EventOrigin = 'engine'): void {
    if (event.type === 'stage.started' && event.stage !== this.options.definition.notify) run.stage = event.stage;
    this.emit('event', event, origin);
  }

  /** True when the task state's stage process publishes its own events. */
  private stageReports(state: string): boolean {
    return this.options.containerEvents === 'stage' && this.tasks.get(state)?.kind === 'container';
  }

  /** Saves the record; saves of one run never overlap. */
  private persist(run: Running): Promise<void> {
    run.saving = run.saving.catch(() => undefined).then(() => this.options.store.save(run.record));
    return run.saving;
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
    const done = run.record.completedTasks?.[state];
    if (run.resumed.has(state)) return done;
    const signal = run.controller.signal;
    if (signal.aborted) throw cancelled();
    const result =
      task.kind === 'function'
        ? await this.runFunctionTask(run, task.stage, payload)
        : await this.runContainerTask(run, state, task.stage, payload as BatchParameters);
    // Kept with the execution, saved now: if this process dies, a resumed run skips this task.
    run.record.completedTasks = { ...run.record.completedTasks, [state]: result };
    await this.persist(run);
    return result;
  }

  private async runFunctionTask(run: Running, stage: StageName, payload: unknown): Promise<unknown> {
    const body = (payload as { Payload?: Record<string, unknown> }).Payload ?? {};
    const { timeoutSeconds } = stageOf(this.options.definition, stage);
    // The state's TimeoutSeconds ends the task in the state machine; this ends the work itself.
    const signal = AbortSignal.any([run.controller.signal, AbortSignal.timeout(timeoutSeconds * 1000)]);
    try {
      const running = this.options.runFunction(stage, body, signal);
      track(run, running);
      return { StatusCode: 200, Payload: await running };
    } catch (e) {
      // As Lambda reports it: the error's name, and a JSON cause carrying its message.
      const error = AerialError.from(e);
      throw namedError(error.name, JSON.stringify({ errorType: error.name, errorMessage: error.reason }));
    }
  }

  /**
   * One Batch job: each attempt limited to the stage's timeout (a timed-out attempt is not retried,
   * as in Batch), attempts retried on the transient exit code or when the container was killed from
   * outside, as the job definition says. Every attempt is in the job description the task returns.
   */
  private async runContainerTask(
    run: Running,
    state: string,
    stage: StageName,
    params: BatchParameters,
  ): Promise<unknown> {
    const { retry, timeoutSeconds } = stageOf(this.options.definition, stage);
    const reports: EventOrigin = this.options.containerEvents ?? 'engine';
    const limitMs = timeoutSeconds * 1000 * (this.options.timeoutScale ?? 1);
    const signal = run.controller.signal;
    const environment = Object.fromEntries(
      (params.ContainerOverrides?.Environment ?? []).map((e) => [e.Name, e.Value]),
    );
    const attempts: { exitCode: number | null; statusReason: string }[] = [];
    const jobId = `${run.record.name}-${state.replace(/[^A-Za-z0-9-]/g, '-')}`;
    let last: { reason: string; error: AerialErrorPayload; transient: boolean } | undefined;
    for (let attempt = 1; attempt <= retry.attempts; attempt++) {
      await this.acquire(signal, run.sequence);
      const limit = new AbortController();
      const timer = setTimeout(() => limit.abort(), Math.ceil(limitMs));
      let outcome: Awaited<ReturnType<ContainerRunner>> | 'timed out';
      try {
        if (signal.aborted) throw cancelled();
        const attemptSignal = AbortSignal.any([signal, limit.signal]);
        const stopped = new Promise<'timed out'>((resolve) =>
          attemptSignal.addEventListener('abort', () => resolve('timed out'), { once: true }),
        );
        const running = this.options.runContainer({
          stage,
          environment: { ...environment, AERIAL_STAGE_ATTEMPT: String(attempt) },
          signal: attemptSignal,
          onProgress: (percent, message) =>
            this.emitFor(
              run,
              {
                type: 'stage.progress',
                jobId: run.jobId,
                at: new Date().toISOString(),
                stage,
                percent,
                ...(message ? { message } : {}),
              },
              reports,
            ),
        });
        track(run, running);
        // A child process ends when killed; a runner that cannot be killed is waited for no longer.
        outcome = await Promise.race([running, stopped.then(async (why) => (limit.signal.aborted ? why : running))]);
        if (outcome === 'timed out') running.catch(() => undefined);
      } finally {
        clearTimeout(timer);
        this.release();
      }
      if (signal.aborted) throw cancelled();
      if (outcome !== 'timed out' && outcome.exitCode === 0) {
        attempts.push({ exitCode: 0, statusReason: 'Essential container in task exited' });
        const description = { JobName: params.JobName, JobId: jobId, Status: 'SUCCEEDED', Attempts: attempts };
        run.history.push('TaskSucceeded', {
          taskSucceededEventDetails: {
            resourceType: 'batch',
            resource: 'submitJob.sync',
            output: JSON.stringify(description),
          },
        });
        return description;
      }
      last = attemptFailure(stage, outcome, timeoutSeconds * (this.options.timeoutScale ?? 1));
      attempts.push({ exitCode: outcome === 'timed out' ? null : outcome.exitCode, statusReason: last.reason });
      const final = !last.transient || attempt === retry.attempts;
      if (final) run.failedStage = stage;
      // A stage that named its error published the failure itself; a killed or silent one did not.
      this.emitFor(
        run,
        { type: 'stage.failed', jobId: run.jobId, at: new Date().toISOString(), stage, error: last.error },
        outcome !== 'timed out' && outcome.error ? reports : 'engine',
      );
      if (final) break;
      const wait =
        retry.intervalSeconds * retry.backoffRate ** (attempt - 1) * 1000 * (this.options.retryDelayScale ?? 1);
      await sleep(wait, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) throw cancelled();
      this.emitFor(
        run,
        { type: 'stage.started', jobId: run.jobId, at: new Date().toISOString(), stage, attempt: attempt + 1 },
        reports,
      );
    }
    // What Step Functions reports for a failed Batch job: the job description as the cause. A
    // timed-out attempt carries its named error instead, as no stage recorded one.
    if (last?.error.name === 'Aerial.Transient' && !last.transient)
      throw namedError(
        last.error.name,
        JSON.stringify({ errorType: last.error.name, errorMessage: last.error.reason }),
      );
    throw namedError(
      'States.TaskFailed',
      JSON.stringify({
        JobName: params.JobName,
        JobId: jobId,
        Status: 'FAILED',
        StatusReason: last?.reason ?? 'not run',
        Attempts: attempts,
      }),
    );
  }

  /**
   * Waits for a container slot. Slots go to waiting tasks by their job's submission order, as a
   * job queue serves jobs: a job submitted later never overtakes one waiting since earlier.
   */
  private async acquire(signal: AbortSignal, sequence: number): Promise<void> {
    if (signal.aborted) throw cancelled();
    if (this.slots > 0 && this.waiting.length === 0) {
      this.slots--;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const waiter = {
        sequence,
        resolve: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        const index = this.waiting.indexOf(waiter);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(cancelled());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const after = this.waiting.findIndex((w) => w.sequence > sequence);
      this.waiting.splice(after === -1 ? this.waiting.length : after, 0, waiter);
    });
  }

  /** Hands the slot to the first waiting task (so none overtakes it), or frees it. */
  private release(): void {
    const next = this.waiting.shift();
    if (next) next.resolve();
    else this.slots++;
  }
}

/** The statuses RedriveExecution accepts, as on AWS. */
const REDRIVABLE: readonly ExecutionStatus[] = ['FAILED', 'TIMED_OUT', 'ABORTED'];

/** Step Functions' name for a redrive it refuses; the API server answers with it. */
function notRedrivable(reason: string): AerialError {
  return Object.assign(new AerialError('Aerial.JobStateConflict', reason), { sfnType: 'ExecutionNotRedrivable' });
}

/** Results of the tasks a redriven run skips: all but Notify's, which tells how the new run ended. */
function withoutNotify(tasks: Record<string, unknown> | undefined): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(tasks ?? {}).filter(([state]) => state !== STATE.notifySuccess && state !== STATE.notifyFailure),
  );
}

/** Keeps a stage run in the run's in-flight set until it settles. */
function track(run: Running, running: Promise<unknown>): void {
  run.inflight.add(running);
  const forget = () => run.inflight.delete(running);
  running.then(forget, forget);
}

/** How a failed attempt is reported, and whether another attempt may succeed. */
function attemptFailure(
  stage: StageName,
  outcome: Awaited<ReturnType<ContainerRunner>> | 'timed out',
  limitSeconds: number,
): { reason: string; error: AerialErrorPayload; transient: boolean } {
  if (outcome === 'timed out') {
    const reason = `${stage} exceeded its ${limitSeconds} s time limit and was stopped`;
    return { reason, error: { name: 'Aerial.Transient', reason }, transient: false };
  }
  if (outcome.error) {
    return {
      reason: `${outcome.error.name}: ${outcome.error.reason}`,
      error: outcome.error,
      transient: outcome.exitCode === TRANSIENT_EXIT_CODE,
    };
  }
  if (outcome.exitCode === null && outcome.signal) {
    // Killed from outside (the OOM killer, an operator): the next attempt may well finish.
    const reason = `the ${stage} container was killed (${outcome.signal}): ${outcome.stderrTail.slice(-300)}`.trim();
    return { reason, error: { name: 'Aerial.Transient', reason }, transient: true };
  }
  const reason = `exit code ${outcome.exitCode}: ${outcome.stderrTail.slice(-500)}`;
  return {
    reason,
    error: { name: outcome.exitCode === TRANSIENT_EXIT_CODE ? 'Aerial.Transient' : 'Aerial.Internal', reason },
    transient: outcome.exitCode === TRANSIENT_EXIT_CODE,
  };
}

/** The named error of a failed execution: its Aerial name, or Aerial.Internal naming what it was. */
function errorPayloadOf(error: string | undefined, rawCause: string | undefined): AerialErrorPayload {
  // A failure that reached no Notify (JobFailedUnnotified) keeps Lambda's JSON cause.
  const cause = rawCause?.startsWith('{') ? lambdaMessage(rawCause) : rawCause;
  const name = (AERIAL_ERROR_NAMES as readonly string[]).includes(error ?? '') ? (error as AerialErrorName) : undefined;
  if (name) return { name, reason: cause || name };
  return { name: 'Aerial.Internal', reason: `${error ?? 'unknown error'}: ${cause || 'no detail'}` };
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
    // The job's last event is the engine's, once the execution's record is final (finalEvent).
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
      case 'StateRetried':
        // Step Functions schedules the task again; its history shows each attempt.
        return this.push(
          'TaskScheduled',
          { taskScheduledEventDetails: { resourceType: e.state!.name, attempt: (e.retry?.attempt ?? 0) + 1 } },
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
