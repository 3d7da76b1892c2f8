import { type EnvironmentConfig } from '@aerial/contracts';
import { type PipelineDefinition } from '../pipeline-definition';
import { type AslDocument, type AslState } from './render-asl';

interface Retrier {
  readonly MaxAttempts?: number;
  readonly IntervalSeconds?: number;
  readonly BackoffRate?: number;
}

/**
 * The longest a job can run without any stage exceeding its own limits: the slowest path through
 * the state machine, each task at its state timeout. A Lambda task's timeout holds per attempt, so
 * its retries (and their back-off waits) add up; a Batch task's state timeout already bounds every
 * attempt Batch makes and the wait in the queue, and its retriers only resubmit after an API error,
 * which happens at submission. A parallel state takes its slowest branch.
 */
export function longestPathSeconds(document: Pick<AslDocument, 'StartAt' | 'States'>): number {
  const memo = new Map<string, number>();
  const visiting = new Set<string>();
  const from = (name: string, states: Record<string, AslState>): number => {
    const cached = memo.get(name);
    if (cached !== undefined) return cached;
    if (visiting.has(name)) throw new Error(`state ${name} is part of a loop: the job has no longest path`);
    visiting.add(name);
    const state = states[name];
    if (!state) throw new Error(`no state ${name}`);
    const nexts = [
      state.Next,
      state.Default,
      ...((state.Choices as { Next: string }[] | undefined) ?? []).map((c) => c.Next),
      ...((state.Catch as { Next: string }[] | undefined) ?? []).map((c) => c.Next),
    ].filter((n): n is string => typeof n === 'string');
    const rest = Math.max(0, ...nexts.map((n) => from(n, states)));
    const total = ownSeconds(state) + rest;
    visiting.delete(name);
    memo.set(name, total);
    return total;
  };
  return from(document.StartAt, document.States);
}

function ownSeconds(state: AslState): number {
  if (state.Type === 'Parallel') {
    const branches = state.Branches as Pick<AslDocument, 'StartAt' | 'States'>[];
    return Math.max(0, ...branches.map((b) => longestPathSeconds(b)));
  }
  if (state.Type !== 'Task') return 0;
  const timeout = state.TimeoutSeconds;
  if (typeof timeout !== 'number')
    throw new Error(`task ${String(state.Comment)} has no TimeoutSeconds: it could run until the job times out`);
  if (!String(state.Resource).startsWith('arn:aws:states:::lambda:')) return timeout;
  const retry = ((state.Retry as Retrier[] | undefined) ?? [])[0];
  const retries = retry?.MaxAttempts ?? 0;
  let waits = 0;
  for (let i = 0; i < retries; i++) waits += (retry?.IntervalSeconds ?? 1) * (retry?.BackoffRate ?? 2) ** i;
  return timeout * (retries + 1) + waits;
}

/**
 * The pipeline as deployed to an environment, on every engine (Step Functions, Argo Workflows):
 * the whole-job timeout is the environment's (`limits.jobTimeoutSeconds`), not the definition's
 * default, which is sized for the local engine's small jobs.
 */
export function deployedDefinition(environment: EnvironmentConfig, definition: PipelineDefinition): PipelineDefinition {
  return { ...definition, timeoutSeconds: environment.limits.jobTimeoutSeconds };
}

/** Throws unless every path through the job fits inside its whole-job timeout. */
export function assertStagesFitJobTimeout(document: AslDocument, context: string): void {
  const longest = Math.ceil(longestPathSeconds(document));
  if (longest > document.TimeoutSeconds)
    throw new Error(
      `${context}: the stages may take ${longest} s on the longest path, above the job timeout of ${document.TimeoutSeconds} s; Step Functions would end the job while a stage is within its own limit, and no state can catch that. Raise limits.jobTimeoutSeconds or lower the stage timeouts.`,
    );
}
