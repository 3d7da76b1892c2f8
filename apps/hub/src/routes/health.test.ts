import type { FastifyInstance } from 'fastify';
import type { JobEngine } from '../engine/job-engine';
import { healthRoutes } from './health';
import { answeringPool, pluginApp } from './test-support/plugin-app';

/** An engine whose ping answers as told. */
const engineThat = (ping: () => Promise<void>): JobEngine => ({
  name: 'test',
  start: async () => 'arn',
  describe: async () => undefined,
  stop: async () => undefined,
  resume: async () => undefined,
  ping,
});

describe('health routes', () => {
  let app: FastifyInstance;
  afterEach(async () => app?.close());

  test('liveness answers without asking anything', async () => {
    app = await pluginApp((a) =>
      a.register(healthRoutes, {
        pool: answeringPool(() => []).pool,
        engine: engineThat(async () => Promise.reject(new Error('down'))),
      }),
    );
    const response = await app.inject({ url: '/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  test('readiness is 200 when the database and the engine answer, 503 naming the one that does not', async () => {
    let engineUp = true;
    const database = answeringPool(() => [{ '?column?': 1 }]);
    app = await pluginApp((a) =>
      a.register(healthRoutes, {
        pool: database.pool,
        engine: engineThat(async () => {
          if (!engineUp) throw new Error('connect ECONNREFUSED 127.0.0.1:9');
        }),
      }),
    );
    const ready = await app.inject({ url: '/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', engine: 'ok' } });
    expect(database.queries).toEqual(['SELECT 1']);
    engineUp = false;
    const notReady = await app.inject({ url: '/ready' });
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json()).toEqual({
      status: 'not ready',
      checks: { database: 'ok', engine: 'unavailable: connect ECONNREFUSED 127.0.0.1:9' },
    });
  });
});
