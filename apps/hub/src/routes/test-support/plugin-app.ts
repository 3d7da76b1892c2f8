import { type Publication, publishedPointer } from '@aerial/contracts';
import { type ObjectStore, putJson } from '@aerial/runtime';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { errorHandler } from '../errors';

/** A bare app with the Hub's validation and error replies, for one route plugin under test. */
export async function pluginApp(register: (app: FastifyInstance) => PromiseLike<unknown>): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  await register(app);
  await app.ready();
  return app;
}

/** Writes a publication's pointer (and nothing else) as Publish does, last. */
export async function publish(
  store: ObjectStore,
  jobId: string,
  products: Record<string, string>,
  extra: Partial<Publication> = {},
): Promise<Publication> {
  const publication: Publication = {
    jobId,
    runId: 'run-0123456789ab',
    publishedAt: '2026-11-22T10:00:00.000Z',
    prefix: `published/${jobId}/run-0123456789ab`,
    products,
    bbox: [0.1, 52.1, 0.2, 52.2],
    footprint: {
      type: 'Polygon',
      coordinates: [
        [
          [0.1, 52.1],
          [0.2, 52.1],
          [0.2, 52.2],
          [0.1, 52.1],
        ],
      ],
    },
    objects: 1,
    bytes: 1,
    ...extra,
  };
  await putJson(store, publishedPointer(jobId), publication);
  return publication;
}

/** A `pg` pool stand-in answering every query with `rows` (the repository's SQL is tested on PostgreSQL). */
export function answeringPool(rows: () => unknown[]): { pool: Pool; queries: string[] } {
  const queries: string[] = [];
  const pool = {
    query: async (sql: string) => {
      queries.push(sql);
      return { rows: rows(), rowCount: rows().length };
    },
  } as unknown as Pool;
  return { pool, queries };
}
