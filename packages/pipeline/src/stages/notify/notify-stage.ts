import { keys, type NotifyTarget, STAGE_NAMES, StageManifestSchema } from '@aerial/contracts';
import { getJson, putJson } from '../../object-store/object-store';
import { type StageHandler } from '../stage-runtime';
import { resolveFailure } from './resolve-failure';

/** How one notification target fared. */
export interface Delivery {
  readonly target: NotifyTarget['kind'];
  readonly status: 'sent' | 'failed' | 'skipped';
  readonly detail: string;
}

export type Deliver = (target: NotifyTarget, message: Record<string, unknown>) => Promise<Delivery>;

const WEBHOOK_TIMEOUT_MS = 10_000;

/**
 * Notify: on failure, find and record the named error (`jobs/<id>/failure.json`); on either
 * outcome, write what the job did (`notification.json`) and send it to every target. A target
 * that cannot be reached is recorded, never fatal: the job's outcome does not depend on it.
 */
export function notifyStage(deliver: Deliver = deliverByDefault): StageHandler {
  return async (invocation, context) => {
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
    const message = { jobId: invocation.jobId, outcome, label: request.label, ...(error ? { error } : {}), stages };
    const deliveries = await Promise.all(request.notify.map((target) => deliver(target, message)));
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

/** Webhooks are POSTed here; email and MQTT need the cloud or the Hub's broker and say so. */
export const deliverByDefault: Deliver = async (target, message) => {
  switch (target.kind) {
    case 'webhook':
      try {
        const response = await fetch(target.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'aerial-platform-notify' },
          body: JSON.stringify(message),
          signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
        });
        return response.ok
          ? { target: 'webhook', status: 'sent', detail: `${target.url} answered ${response.status}` }
          : { target: 'webhook', status: 'failed', detail: `${target.url} answered ${response.status}` };
      } catch (e) {
        return { target: 'webhook', status: 'failed', detail: `${target.url}: ${(e as Error).message}` };
      }
    case 'email':
      return {
        target: 'email',
        status: 'skipped',
        detail: 'no mail transport is configured on this engine (email is sent by SES in the cloud)',
      };
    case 'mqtt':
      return {
        target: 'mqtt',
        status: 'skipped',
        detail: 'job events reach MQTT through the Hub, which this engine is not connected to',
      };
  }
};
