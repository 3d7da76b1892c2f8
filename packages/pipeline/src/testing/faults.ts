import { AerialError, AerialErrorNameSchema, STAGE_IO, type StageName, STAGE_NAMES } from '@aerial/contracts';
import { appendFileSync, existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { putJson } from '@aerial/runtime';
import { notifyStage } from '@aerial/function-stages';
import { type StageHandler } from '@aerial/runtime';
import { EXAMPLE_SUMMARIES } from './example-summaries';

/**
 * What goes wrong in one stage, for the fault suite. Faults are thrown the way real code throws
 * them (a raw system error with its errno code from I/O, a named error from a stage), so that the
 * stage runner, the container exit code and the engine's retries see what they would in production.
 */
export interface StageFault {
  /** Fail the first `times` runs of the stage (per job, in this process). @default every run */
  readonly times?: number;
  /** A Node system error code (ECONNRESET, ENOSPC…) or an Aerial error name. */
  readonly error?: string;
  /** Keep running this long (ms) before finishing or failing; honours cancellation. */
  readonly hangMs?: number;
  /** Wait until this file exists before finishing (a test holds a stage with it). */
  readonly waitForFile?: string;
  /** Also write an output of this many bytes (to fill a disk the real way). */
  readonly writeBytes?: number;
}

export type FaultPlan = Partial<Record<StageName, StageFault>>;

export interface FakeStagesOptions {
  readonly plan?: FaultPlan;
  /** A file each run of a stage appends `<jobId> <stage> <pid>` to. */
  readonly runLog?: string;
  /** Called when a stage starts, before its fault. */
  onStart?(jobId: string, stage: StageName): void;
}

/**
 * Every stage but Notify as a small fake that writes one deterministic output through the object
 * store (`jobs/<id>/<stage>/fake.json`, as the stage's first declared role, with an example
 * summary), with the faults of `plan`; Notify is the real one. Test
 * only: registered by tests and the fault engine, never by the workers' stage table.
 */
export function fakeStages(options: FakeStagesOptions = {}): Partial<Record<StageName, StageHandler>> {
  const runs = new Map<string, number>();
  const handlers: Partial<Record<StageName, StageHandler>> = { Notify: notifyStage() };
  for (const stage of STAGE_NAMES) {
    if (stage === 'Notify') continue;
    handlers[stage] = async (invocation, context) => {
      const run = `${invocation.jobId}/${stage}`;
      const count = (runs.get(run) ?? 0) + 1;
      runs.set(run, count);
      options.onStart?.(invocation.jobId, stage);
      if (options.runLog) appendFileSync(options.runLog, `${invocation.jobId} ${stage} ${process.pid}\n`);
      const fault = options.plan?.[stage];
      if (fault?.hangMs) await sleep(fault.hangMs, undefined, { signal: context.signal }).catch(() => undefined);
      while (fault?.waitForFile && !existsSync(fault.waitForFile) && !context.signal.aborted) await sleep(20);
      if (context.signal.aborted) throw new AerialError('Aerial.Cancelled', `${stage} was stopped`);
      if (fault?.error && count <= (fault.times ?? Number.POSITIVE_INFINITY)) throw faultError(fault.error, stage);
      // Under the stage's first declared role, with an example summary: runStage holds fakes to the contract too.
      const role = STAGE_IO[stage].outputs[0].role;
      const outputs = [];
      if (fault?.writeBytes) {
        const key = `jobs/${invocation.jobId}/${stage}/blob.bin`;
        const info = await context.store.put(key, Buffer.alloc(fault.writeBytes, 7), {
          contentType: 'application/octet-stream',
        });
        outputs.push({ key, contentType: 'application/octet-stream', bytes: info.bytes, role });
      }
      const key = `jobs/${invocation.jobId}/${stage}/fake.json`;
      const info = await putJson(context.store, key, { jobId: invocation.jobId, stage, label: context.request.label });
      outputs.push({ key, contentType: 'application/json', bytes: info.bytes, role });
      return { outputs, summary: EXAMPLE_SUMMARIES[stage] };
    };
  }
  return handlers;
}

function faultError(error: string, stage: StageName): Error {
  const named = AerialErrorNameSchema.safeParse(error);
  if (named.success) return new AerialError(named.data, `${stage}: injected ${error}`);
  // As node:fs and node:net report them.
  return Object.assign(new Error(`${error}: injected in ${stage}`), { code: error, syscall: 'write' });
}

/** Parses a fault plan given as JSON (the fault engine reads it from its environment). */
export function parseFaultPlan(text: string | undefined): FaultPlan {
  if (!text) return {};
  const plan = JSON.parse(text) as Record<string, StageFault>;
  for (const stage of Object.keys(plan))
    if (!(STAGE_NAMES as readonly string[]).includes(stage)) throw new Error(`fault plan: unknown stage ${stage}`);
  return plan as FaultPlan;
}
