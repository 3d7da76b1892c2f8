import { type EventPublisher, type Logger } from '@aerial/runtime';
import { type LocalEngine } from './local-engine';

/**
 * Sends the engine's events through `publisher`: the job's events, and the stages' where the
 * stages do not publish their own (run in this process). Each event is published once: what a
 * stage process published itself is left out.
 */
export function publishEngineEvents(engine: LocalEngine, publisher: EventPublisher, log: Logger): void {
  engine.on('event', (event, origin) => {
    if (origin !== 'engine') return;
    publisher.publish(event).catch((e: unknown) => {
      log.warn({ err: e, jobId: event.jobId }, `could not publish ${event.type} to ${publisher.broker}`);
    });
  });
}
