import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { SFNClient } from '@aws-sdk/client-sfn';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Pool } from 'pg';
import { access } from './auth/access';
import { ApiKeys } from './auth/api-keys';
import { apiKeyRoutes } from './routes/api-keys';
import { jobOptionRoutes } from './routes/job-options';
import { TileDatabase } from './db/tile-database';
import { type JobEngine, StepFunctionsEngine } from './engine/job-engine';
import { errorHandler } from './routes/errors';
import { healthRoutes } from './routes/health';
import { jobRoutes } from './routes/jobs';
import { mapSettingsRoutes } from './routes/map-settings';
import { Publications } from './products/publications';
import { datasetRoutes } from './routes/datasets';
import { resumableUploadRoutes } from './routes/resumable-uploads';
import { catalogRoutes } from './routes/products/catalog';
import { downloadRoutes } from './routes/products/downloads';
import { liveEventRoutes } from './routes/products/live-events';
import { qualityReportRoutes } from './routes/products/quality-report';
import { rasterTileRoutes } from './routes/products/raster-tiles';
import { scene3dRoutes } from './routes/products/scene-3d';
import { vectorTileRoutes } from './routes/products/vector-tiles';
import fastifyStatic from '@fastify/static';
import { datasetLimits, type DatasetLimits, type ObjectStore } from '@aerial/runtime';
import { DEFAULT_ENVIRONMENTS, type MapSettings } from '@aerial/contracts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventEmitter } from 'node:events';

export interface HubOptions {
  readonly pool: Pool;
  /** Where jobs run; or give `sfn` and `stateMachineArn` for Step Functions (or the local engine behind its API). */
  readonly engine?: JobEngine;
  readonly sfn?: SFNClient;
  readonly stateMachineArn?: string;
  /** Requests per minute per client. @default 300 */
  readonly rateLimitPerMinute?: number;
  /** Largest JSON body. @default 64 KiB */
  readonly bodyLimit?: number;
  /**
   * Fastify's logger: the process's pino logger (request logs join its stream). @default no logs
   */
  readonly logger?: FastifyBaseLogger;
  /** Where published products are read from; without it the product routes are off. */
  readonly store?: ObjectStore;
  /** Where uploads go; the engine reads `prefix` datasets from it. @default store */
  readonly uploads?: ObjectStore;
  /** Folder for unfinished resumable uploads. @default `aerial-upload-staging` in the temp folder */
  readonly uploadStaging?: string;
  /** The pipeline's dataset bounds (an uploaded zip is checked against them). @default the dev environment's */
  readonly datasetLimits?: DatasetLimits;
  /** Where Publish wrote the products (PUBLISHED_STORE: the published bucket). @default store */
  readonly published?: ObjectStore;
  /** Shares the publication cache with whoever records publications. */
  readonly publications?: Publications;
  /** Newly stored pipeline events, for live pages. */
  readonly live?: EventEmitter;
  /** Folder of the built web page; served at `/` when given. */
  readonly webRoot?: string;
  /** What the page's map draws besides the products (`mapSettings(config)`). @default no base layer */
  readonly map?: MapSettings;
  /** The sample survey's photos folder (`aerial sample` renders it); enables POST /api/samples. */
  readonly samplePhotos?: () => Promise<string>;
  /** Every GET of `/api/` and `/tiles/` needs a key too (HUB_REQUIRE_KEY_FOR_READS). @default false */
  readonly requireKeyForReads?: boolean;
}

/**
 * The Hub's HTTP app, composed in one place: security headers, rate limiting, OpenAPI (document
 * at /openapi.json, browsable at /docs), request/response validation from the contracts, and the
 * route plugins. CORS stays off: the page is served by the Hub itself.
 */
export async function buildHub(options: HubOptions): Promise<FastifyInstance> {
  const bodyLimit = options.bodyLimit ?? 64 * 1024;
  const app = options.logger
    ? Fastify({ loggerInstance: options.logger, bodyLimit })
    : Fastify({ logger: false, bodyLimit });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await app.register(helmet, { contentSecurityPolicy: false });
  await app.register(rateLimit, { max: options.rateLimitPerMinute ?? 300, timeWindow: '1 minute' });
  await app.register(swagger, {
    openapi: {
      info: { title: 'Aerial Platform Hub', version: '1' },
      components: {
        securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'aerial_<id>_<secret>' } },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.setErrorHandler(errorHandler);

  const keys = new ApiKeys(options.pool);
  const rules = access(keys, { requireKeyForReads: options.requireKeyForReads ?? false });
  app.addHook('onRequest', rules.reads);
  // Starting, cancelling and retrying jobs and uploading: a write key (or admin).
  const requireApiKey = rules.require('write');
  const tiles = new TileDatabase(options.pool);
  const engine =
    options.engine ??
    (options.sfn && options.stateMachineArn
      ? new StepFunctionsEngine(options.sfn, options.stateMachineArn)
      : undefined);
  if (!engine) throw new Error('the Hub needs an engine: give `engine`, or `sfn` and `stateMachineArn`');
  await app.register(healthRoutes, { pool: options.pool, engine });
  await app.register(apiKeyRoutes, { keys, requireAdminKey: rules.require('admin') });
  await app.register(jobOptionRoutes);
  await app.register(jobRoutes, {
    jobs: tiles.jobs,
    events: tiles.events,
    engine,
    requireApiKey,
    ...(options.samplePhotos ? { samplePhotos: options.samplePhotos } : {}),
    ...(options.live ? { live: options.live } : {}),
  });
  await app.register(mapSettingsRoutes, { settings: options.map ?? { baseLayer: null } });
  if (options.store) {
    const store = options.published ?? options.store;
    const publications = options.publications ?? new Publications(options.store, store);
    // A map view asks for dozens of tiles at once: their request lines would bury the rest of the log.
    await app.register(rasterTileRoutes, { store, publications, logLevel: 'warn' });
    await app.register(vectorTileRoutes, { images: tiles.images, publications, logLevel: 'warn' });
    await app.register(catalogRoutes, { images: tiles.images, reconstructions: tiles.reconstructions, publications });
    await app.register(downloadRoutes, { store, publications });
    await app.register(qualityReportRoutes, {
      store: options.store,
      published: store,
      publications,
      events: tiles.events,
    });
    await app.register(scene3dRoutes, { store: options.store, published: store, publications });
    await app.register(liveEventRoutes, { events: tiles.events, ...(options.live ? { live: options.live } : {}) });
    await app.register(datasetRoutes, {
      datasets: tiles.datasets,
      jobs: tiles.jobs,
      engine,
      uploads: options.uploads ?? options.store,
      requireApiKey,
    });
    await app.register(resumableUploadRoutes, {
      datasets: tiles.datasets,
      uploads: options.uploads ?? options.store,
      requireApiKey,
      staging: options.uploadStaging ?? join(tmpdir(), 'aerial-upload-staging'),
      limits: options.datasetLimits ?? datasetLimits(DEFAULT_ENVIRONMENTS.dev),
    });
  }
  if (options.webRoot) await app.register(fastifyStatic, { root: options.webRoot, prefix: '/', index: 'index.html' });
  return app;
}
