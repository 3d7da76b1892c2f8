import type { PipelineEvent } from '@aerial/contracts';
import type { FastifyInstance } from 'fastify';
import { EventEmitter } from 'node:events';
import { EventsRepository } from '../../db/events-repository';
import { answeringPool, pluginApp } from '../test-support/plugin-app';
import { liveEventRoutes } from './live-events';

const jobId = 'job-live-1';
const at = (s: number) => new Date(Date.UTC(2026, 10, 22, 10, 0, s)).toISOString();
const stored: PipelineEvent = { type: 'job.started', jobId, at: at(0) };

/** Reads server-sent events from a response body until `count` have arrived: their names and data. */
async function readEvents(body: ReadableStream<Uint8Array>, count: number): Promise<{ name: string; data: unknown }[]> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const blocks = () => text.split('\n\n').filter((block) => block.startsWith('event:'));
  while (blocks().length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value);
  }
  reader.releaseLock();
  return blocks().map((block) => {
    const [name, data] = block.split('\n');
    return { name: name!.slice('event: '.length), data: JSON.parse(data!.slice('data: '.length)) as unknown };
  });
}

describe('live event routes (server-sent events)', () => {
  const live = new EventEmitter();
  let app: FastifyInstance;
  let url: string;
  beforeAll(async () => {
    const database = answeringPool(() => [{ payload: stored }]);
    app = await pluginApp((a) =>
      a.register(liveEventRoutes, { events: new EventsRepository(database.pool), live, keepAliveMs: 50 }),
    );
    url = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    // Event streams never end by themselves: a failed test must not leave one holding the server.
    app?.server.closeAllConnections();
    await app?.close();
  });

  test("stored events come first, then the job's live ones; other jobs' are not sent", async () => {
    const controller = new AbortController();
    const response = await fetch(`${url}/api/jobs/${jobId}/events`, { signal: controller.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    const body = response.body!;
    expect(await readEvents(body, 1)).toEqual([{ name: 'job.started', data: stored }]);
    const other: PipelineEvent = { type: 'job.started', jobId: 'job-live-2', at: at(1) };
    const mine: PipelineEvent = { type: 'stage.started', jobId, at: at(2), stage: 'Ingest', attempt: 1 };
    live.emit('event', other);
    live.emit('event', mine);
    expect(await readEvents(body, 1)).toEqual([{ name: 'stage.started', data: mine }]);
    controller.abort();
    // The page went away: its listener goes with it.
    for (let i = 0; i < 100 && live.listenerCount('event') > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(live.listenerCount('event')).toBe(0);
  });

  test('an idle stream gets keep-alive comments', async () => {
    const controller = new AbortController();
    const response = await fetch(`${url}/api/jobs/${jobId}/events`, { signal: controller.signal });
    const reader = response.body!.getReader();
    let text = '';
    while (!text.includes(': keep-alive')) text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    expect(text).toContain(': keep-alive\n\n');
  });

  test('a malformed job id is refused before the stream opens', async () => {
    expect((await app.inject({ url: '/api/jobs/NOT..VALID/events' })).statusCode).toBe(400);
  });
});
