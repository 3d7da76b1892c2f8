import { keys, STAGE_NAMES, StageManifestSchema } from '@aerial/contracts';
import { getJson, putJson } from '../../object-store/object-store';
import { type StageHandler } from '../stage-runtime';
import { type Deliver, deliverFromEnv, type NotificationMessage } from './deliveries';
import { resolveFailure } from './resolve-failure';

/**
 * Notify: on failure, find and record the named error (`jobs/<id>/failure.json`); on either
 * outcome, write what the job did (`notification.json`) and send it to every target. A target
 * that cannot be reached is recorded, never fatal: the job's outcome does not depend on it.
 */
export function notifyStage(deliver?: Deliver): StageHandler {
  return async (invocation, context) => {
    const send = deliver ?? deliverFromEnv();
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
    const deliveries = await Promise.all(request.notify.map((target) => send(target, message)));
    const key = `${keys.stage(invocation.jobId, 'Notify')}/notification.json`;
    const info = await putJson(store, key, { ...message, deliveries, at: new Date().toISOString() });
    return {
      outputs: [{ key, contentType: 'application/json', bytes: info.bytes, role: 'notification' }],
      summary: {
        outcome,
        ...(error ? { name: error.name, reason: error.reason } : {}),
        deliveries: deliveries.map((d) => `${d.target}: ${d.status}`),
      },
    };
  };
}
