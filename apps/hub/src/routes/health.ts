import type { JobEngine } from '../engine/job-engine';
import type { FastifyPluginAsync } from 'fastify';
import type { Pool } from 'pg';

export interface HealthOptions {
  readonly pool: Pool;
  readonly engine: JobEngine;
}

/** Liveness (the process answers) and readiness (the database and the engine answer). */
export const healthRoutes: FastifyPluginAsync<HealthOptions> = async (app, options) => {
  app.get('/health', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/ready', { schema: { hide: true } }, async (_request, reply) => {
    const check = async (run: () => Promise<unknown>) => {
      try {
        await run();
        return 'ok';
      } catch (e) {
        return `unavailable: ${(e as Error).message}`;
      }
    };
    const checks = {
      database: await check(() => options.pool.query('SELECT 1')),
      engine: await check(() => options.engine.ping()),
    };
    const ready = Object.values(checks).every((c) => c === 'ok');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
  });
};
