import { AERIAL_ERROR_NAMES, type AerialErrorName, type PipelineEvent, StageNameSchema } from '@aerial/contracts';
import { type EngineExecution } from './job-engine';

/** How long after an execution ended its own last event may still be on its way (over MQTT). */
export const RECONCILE_GRACE_MS = 2_000;

/**
 * The event that ends a job the engine reports ended while the Hub still has it queued or running:
 * its events did not arrive (no broker, a lost connection, an engine killed before it published).
 * It is dated at the execution's stop date and names the job's last stage, as the engine's own
 * event does, so that when both arrive the tile database keeps one. Undefined when there is
 * nothing to reconcile, or when the engine's own event may still arrive.
 */
export function reconcilingEvent(
  job: { jobId: string; status: string; stage: string | null },
  execution: EngineExecution | undefined,
  now = Date.now(),
): PipelineEvent | undefined {
  if (!execution || (job.status !== 'queued' && job.status !== 'running')) return undefined;
  if (!execution.stopDate || execution.status === 'RUNNING' || execution.status === 'PENDING_REDRIVE') return undefined;
  if (now - Date.parse(execution.stopDate) < RECONCILE_GRACE_MS) return undefined;
  const at = execution.stopDate;
  const stage = StageNameSchema.safeParse(job.stage);
  const inStage = stage.success ? { stage: stage.data } : {};
  switch (execution.status) {
    case 'SUCCEEDED':
      return { type: 'job.succeeded', jobId: job.jobId, at };
    case 'ABORTED':
      return { type: 'job.cancelled', jobId: job.jobId, at, ...inStage };
    case 'TIMED_OUT':
      return {
        type: 'job.failed',
        jobId: job.jobId,
        at,
        ...inStage,
        error: { name: 'Aerial.Transient', reason: execution.cause || 'the job exceeded its time limit' },
      };
    case 'FAILED': {
      const known = (AERIAL_ERROR_NAMES as readonly string[]).includes(execution.error ?? '');
      const error = known
        ? { name: execution.error as AerialErrorName, reason: execution.cause || (execution.error as string) }
        : {
            name: 'Aerial.Internal' as const,
            reason: `${execution.error ?? 'unknown error'}: ${execution.cause || 'no detail'}`,
          };
      return { type: 'job.failed', jobId: job.jobId, at, ...inStage, error };
    }
  }
}
