import { type AerialErrorPayload, type StageName } from '@aerial/contracts';
import type { Logger } from 'pino';
import { type EventPublisher } from './mqtt-event-publisher';

/** The events of one stage run, as the process running it reports them. */
export interface StageEvents {
  started(attempt: number): void;
  progress(percent: number, message?: string): void;
  succeeded(): void;
  failed(error: AerialErrorPayload): void;
}

/**
 * Stage events sent through `publisher` (fire and forget: a broker that is down must not fail the
 * stage; the failure is logged). The stage runner reports its own run this way, so a job on Argo or
 * Batch shows live exactly as one on the local engine.
 */
export function stageEvents(
  publisher: EventPublisher,
  run: { jobId: string; stage: StageName },
  log?: Logger,
  now: () => Date = () => new Date(),
): StageEvents {
  const base = () => ({ jobId: run.jobId, stage: run.stage, at: now().toISOString() });
  const send = (event: Parameters<EventPublisher['publish']>[0]) => {
    publisher.publish(event).catch((e: unknown) => {
      log?.warn({ err: e, event: event.type }, `could not publish ${event.type} to ${publisher.broker}`);
    });
  };
  return {
    started: (attempt) => send({ ...base(), type: 'stage.started', attempt }),
    progress: (percent, message) =>
      send({ ...base(), type: 'stage.progress', percent, ...(message ? { message: message.slice(0, 500) } : {}) }),
    succeeded: () => send({ ...base(), type: 'stage.succeeded' }),
    failed: (error) => send({ ...base(), type: 'stage.failed', error }),
  };
}
