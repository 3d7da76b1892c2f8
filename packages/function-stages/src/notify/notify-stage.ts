import {
  AerialError,
  declaredOutput,
  keys,
  type NotifyTarget,
  STAGE_NAMES,
  StageManifestSchema,
  stageOutputKey,
  type StageSummary,
} from '@aerial/contracts';
import { getJson, putJson } from '@aerial/runtime';
import { type StageHandler } from '@aerial/runtime';
import {
  createDeliver,
  type Deliver,
  type Delivery,
  localDeliveryServices,
  type NotificationMessage,
} from './deliveries';
import { resolveFailure } from './resolve-failure';

/**
 * Notify: on failure, find and record the named error (`jobs/<id>/failure.json`); on either
 * outcome, write what the job did (`notification.json`) and send it to every target, each on its
 * own. A delivery that fails is recorded there and in the summary (`undelivered`), and Notify still
 * succeeds: the job's outcome is the job's. Failing Notify would not make it truer, and would
 * make it worse: after a failed job the state machine would end in `JobFailedUnnotified` with the
 * orchestrator's generic error instead of the named one, and a retry would send the targets that
 * were reached a second time.
 */
export function notifyStage(deliver?: Deliver): StageHandler {
  return async (invocation, context) => {
    const send = deliver ?? createDeliver(localDeliveryServices(context.config, context.events));
    const { store, request } = context;
    const outcome = invocation.outcome ?? 'succeeded';
    const error = outcome === 'failed' ? await resolveFailure(store, invocation.jobId, invocation.failure) : undefined;
    if (error) await putJson(store, keys.failure(invocation.jobId), { ...error, at: new Date().toISOString() });

    const stages: Record<string, unknown> = {};
    for (const stage of STAGE_NAMES) {
      const key = keys.manifest(invocation.jobId, stage);
      if (stage === 'Notify' || !(await store.head(key))) continue;
      const manifest = StageManifestSchema.safeParse(await getJson(store, key));
      if (manifest.success) stages[stage] = manifest.data.summary;
    }
    const message: NotificationMessage = {
      jobId: invocation.jobId,
      outcome,
      label: request.label,
      ...(error ? { error } : {}),
      stages,
    };
    const deliveries = await Promise.all(request.notify.map((target) => deliverOne(send, target, message)));
    const undelivered = deliveries.filter((d) => d.status !== 'sent').map((d) => `${d.target}: ${d.detail}`);
    const key = stageOutputKey(invocation.jobId, 'Notify', 'notification');
    const info = await putJson(store, key, {
      ...message,
      deliveries,
      delivered: undelivered.length === 0,
      at: new Date().toISOString(),
    });
    return {
      outputs: [declaredOutput('Notify', 'notification', { key, bytes: info.bytes })],
      summary: {
        outcome,
        ...(error ? { name: error.name, reason: error.reason, ...(error.stage ? { stage: error.stage } : {}) } : {}),
        deliveries: deliveries.map((d) => `${d.target}: ${d.status}`),
        undelivered,
      } satisfies StageSummary<'Notify'>,
    };
  };
}

/** One target, whatever its delivery throws: a failure is this target's outcome, not the others'. */
async function deliverOne(send: Deliver, target: NotifyTarget, message: NotificationMessage): Promise<Delivery> {
  try {
    return await send(target, message);
  } catch (e) {
    const error = AerialError.from(e);
    return { target: target.kind, status: 'failed', detail: `${error.name}: ${error.reason}` };
  }
}
