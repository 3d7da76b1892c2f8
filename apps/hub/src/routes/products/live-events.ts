import type { PipelineEvent } from '@aerial/contracts';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { EventEmitter } from 'node:events';
import type { EventsRepository } from '../../db/events-repository';
import { JobParams } from './params';

export interface LiveEventRoutesOptions {
  /** The stored events, sent first. */
  readonly events: EventsRepository;
  /** Newly stored pipeline events (the MQTT bridge's `live` emitter). */
  readonly live?: EventEmitter;
  /** Between comment lines that keep idle connections open through proxies. @default 15 s */
  readonly keepAliveMs?: number;
}

/**
 * A job's events live, as server-sent events: one HTTP response per page, no broker credentials
 * in browsers. Stored events first, then each new one as the bridge stores it.
 */
export const liveEventRoutes: FastifyPluginAsync<LiveEventRoutesOptions> = async (plain, options) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/api/jobs/:jobId/events',
    {
      schema: {
        summary: "A job's events, stored ones first, then live (text/event-stream)",
        tags: ['jobs'],
        params: JobParams,
      },
    },
    async (request, reply) => {
      const { jobId } = request.params;
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-content-type-options': 'nosniff',
      });
      const send = (event: PipelineEvent) => res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      const listener = (event: PipelineEvent) => {
        if (event.jobId === jobId) send(event);
      };
      options.live?.on('event', listener);
      for (const event of await options.events.events(jobId)) send(event);
      const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), options.keepAliveMs ?? 15_000);
      request.raw.once('close', () => {
        clearInterval(keepAlive);
        options.live?.off('event', listener);
      });
    },
  );
};
