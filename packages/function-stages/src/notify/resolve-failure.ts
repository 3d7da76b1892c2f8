import { AerialError, AerialErrorPayloadSchema, type AerialErrorPayload, keys, STAGE_NAMES } from '@aerial/contracts';
import { getJson, type ObjectStore } from '@aerial/runtime';

/**
 * The named error behind an orchestrator failure. A Lambda stage's error arrives by name; a Batch
 * stage's arrives as `States.TaskFailed`, so the stage's own `error.json` names it. Falls back to
 * the orchestrator's error (a timeout, say) as `Aerial.Internal`.
 */
export async function resolveFailure(
  store: ObjectStore,
  jobId: string,
  failure: { Error: string; Cause?: string } | undefined,
): Promise<AerialErrorPayload & { stage?: string }> {
  if (failure && failure.Error.startsWith('Aerial.')) {
    const fromCause = parseLambdaCause(failure.Cause);
    const named = AerialErrorPayloadSchema.safeParse({
      name: failure.Error,
      reason: fromCause ?? failure.Cause ?? failure.Error,
    });
    if (named.success) {
      const record = await latestStageError(store, jobId);
      if (!record || record.name !== named.data.name) return named.data;
      // A stopped stage only knows it was stopped; the job's own cause says who stopped it.
      return named.data.name === 'Aerial.Cancelled' ? { ...named.data, stage: record.stage } : record;
    }
  }
  const record = await latestStageError(store, jobId);
  if (record) return record;
  if (failure?.Error === 'States.Timeout') {
    return { name: 'Aerial.Transient', reason: `a stage or the whole job timed out (${failure.Cause ?? 'no detail'})` };
  }
  return AerialError.from(new Error(`${failure?.Error ?? 'unknown error'}: ${failure?.Cause ?? 'no detail'}`)).toJSON();
}

/** Lambda wraps a thrown error as `{"errorType","errorMessage",...}` in the Cause. */
function parseLambdaCause(cause: string | undefined): string | undefined {
  if (!cause?.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    return typeof parsed.errorMessage === 'string' ? parsed.errorMessage : undefined;
  } catch {
    return undefined;
  }
}

async function latestStageError(
  store: ObjectStore,
  jobId: string,
): Promise<(AerialErrorPayload & { stage: string }) | undefined> {
  let latest: (AerialErrorPayload & { stage: string; at: string }) | undefined;
  for (const stage of STAGE_NAMES) {
    // Notify reports a job's failure and is never its cause: its own record (a failed earlier
    // attempt, newer than every other) would name the failed stage "Notify" (issue 18).
    if (stage === 'Notify') continue;
    const key = keys.stageError(jobId, stage);
    if (!(await store.head(key))) continue;
    const raw = (await getJson(store, key)) as { at?: unknown };
    const parsed = AerialErrorPayloadSchema.safeParse(raw);
    if (!parsed.success || typeof raw.at !== 'string') continue;
    if (!latest || raw.at > latest.at) latest = { ...parsed.data, stage, at: raw.at };
  }
  if (!latest) return undefined;
  const { at: _at, ...rest } = latest;
  return rest;
}
