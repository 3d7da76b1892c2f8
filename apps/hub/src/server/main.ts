#!/usr/bin/env node
import { AerialError, DEFAULT_ENVIRONMENTS, jobRequestFor, mapSettings, type RuntimeConfig } from '@aerial/contracts';
import { createLogger, createObjectStore, datasetLimits, type Logger } from '@aerial/runtime';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Pool } from 'pg';
import { buildHub } from '../app';
import { TileDatabase } from '../db/tile-database';
import type { JobEngine } from '../engine/job-engine';
import { startJob } from '../engine/start-job';
import { MqttEventBridge } from '../mqtt/event-bridge';
import { Publications } from '../products/publications';
import { engineEnvironment, loadHubConfig } from './config';
import { openBroker, openDatabase, type Stops } from './embedded-services';
import { chooseJobEngine } from './job-engine-choice';
import { localApiKey, samplePhotos } from './local-operator';
import { terminalProgress } from './terminal-progress';

/** The built web page, two folders up from lib/server (listed in `files`, so `pnpm deploy` ships it). */
const WEB_ROOT = join(__dirname, '..', '..', 'web', 'dist');

/**
 * The Hub as a process. Every service it needs is configured or embedded: DATABASE_URL or PGlite
 * with PostGIS, MQTT_URL or an aedes broker, SFN_ENDPOINT or the local engine started with
 * AERIAL_ENGINE_COMMAND. `--photos DIR` (or `--sample`: the survey `aerial sample` rendered, when
 * there is no job yet) starts a map job once it is up. It prints its URL and runs until SIGINT/SIGTERM.
 */
async function main(argv: string[]): Promise<void> {
  // `pnpm start -- --photos DIR` (the README's form) reaches us as `--sample -- --photos DIR`: the
  // separator is pnpm's, not an end of our options.
  const { values } = parseArgs({
    args: argv.filter((a) => a !== '--'),
    options: { sample: { type: 'boolean' }, photos: { type: 'string' } },
  });
  const config = loadHubConfig();
  const log = createLogger({ name: 'hub', level: config.LOG_LEVEL });
  const stops: Stops = [];
  try {
    const { url, pool, tiles, engine } = await serve(config, log, stops);
    const dataDir = config.AERIAL_DATA_DIR;
    const photos = values.photos
      ? resolve(values.photos)
      : values.sample && (await tiles.jobs.jobs({ limit: 1 })).length === 0
        ? await samplePhotos(dataDir)
        : undefined;
    if (photos) {
      const request = jobRequestFor({ kind: 'folder', path: photos }, values.photos ? {} : { label: 'sample survey' });
      const { jobId } = await startJob({ jobs: tiles.jobs, engine }, request);
      log.info(`job ${jobId} started on ${photos}: follow it at ${url}#/jobs/${jobId}`);
    }
    // The banner is the command's output (stdout), not a log line: people and scripts wait for it.
    process.stdout.write(
      `\nAerial Hub is running: ${url}\n  API key for the page's buttons: ${(await localApiKey(pool, dataDir)).where}\n  (Ctrl+C to stop)\n`,
    );
    await new Promise<void>((done) => {
      for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => done());
    });
    log.info('stopping');
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  }
}

/**
 * Opens the services, starts the engine and the MQTT bridge, and serves the API and the page;
 * everything opened is pushed on `stops`. Resolves once the Hub listens.
 */
async function serve(
  config: RuntimeConfig,
  log: Logger,
  stops: Stops,
): Promise<{ url: string; pool: Pool; tiles: TileDatabase; engine: JobEngine }> {
  const dataDir = config.AERIAL_DATA_DIR;
  const database = await openDatabase(config, log.child({ component: 'database' }), stops);
  const broker = await openBroker(config, log.child({ component: 'broker' }), stops);
  const store = createObjectStore(config);
  const uploads = config.UPLOADS_STORE ? createObjectStore(config, config.UPLOADS_STORE) : store;
  const published = config.PUBLISHED_STORE ? createObjectStore(config, config.PUBLISHED_STORE) : store;
  const engineEnv = engineEnvironment(config, {
    MQTT_URL: broker.engineUrl,
    OBJECT_STORE: store.location,
    UPLOADS_STORE: uploads.location,
    PUBLISHED_STORE: published.location,
  });
  const engine = await chooseJobEngine(config, engineEnv, log, stops);

  const tiles = new TileDatabase(database.pool);
  const publications = new Publications(store, published);
  const bridge = await startBridge(broker.hubUrl, database.url, tiles, publications, log, stops);

  const hasPage = existsSync(join(WEB_ROOT, 'index.html'));
  if (!hasPage) log.warn(`no web page at ${WEB_ROOT} (build the hub package): serving the API only`);
  const hub = await buildHub({
    pool: database.pool,
    engine,
    logger: log,
    rateLimitPerMinute: config.HUB_RATE_LIMIT_PER_MINUTE,
    requireKeyForReads: config.HUB_REQUIRE_KEY_FOR_READS,
    map: mapSettings(config),
    store,
    uploads,
    uploadStaging: join(dataDir, 'upload-staging'),
    datasetLimits: datasetLimits(DEFAULT_ENVIRONMENTS[config.AERIAL_ENV]),
    published,
    publications,
    live: bridge.live,
    ...(hasPage ? { webRoot: WEB_ROOT } : {}),
    samplePhotos: () => samplePhotos(dataDir),
  });
  stops.push(() => hub.close());
  await hub.listen({ host: config.HUB_HOST, port: config.HUB_PORT });
  const url = `http://${config.HUB_HOST}:${(hub.server.address() as { port: number }).port}/`;
  return { url, pool: database.pool, tiles, engine };
}

/**
 * The MQTT bridge: stores every job's events, logs their progress, and records publications.
 * One persistent session per installation (its database), stable across restarts.
 */
async function startBridge(
  brokerUrl: string,
  databaseUrl: string,
  tiles: TileDatabase,
  publications: Publications,
  log: Logger,
  stops: Stops,
): Promise<MqttEventBridge> {
  const progress = terminalProgress(tiles.jobs, log);
  const bridgeLog = log.child({ component: 'mqtt-bridge' });
  const clientId = `aerial-hub-${createHash('sha256').update(databaseUrl).digest('hex').slice(0, 12)}`;
  const bridge = await MqttEventBridge.start(brokerUrl, tiles.events, {
    clientId,
    log: (line) => bridgeLog.warn(line),
    onStored: async (event) => {
      await progress(event);
      if (event.type === 'job.published') await publications.record(tiles, event.publication);
    },
  });
  stops.push(async () => {
    await bridge.stop();
    const { stored, duplicates, rejected, lastRejection } = bridge.stats;
    bridgeLog.info(
      `events: ${stored} stored, ${duplicates} duplicates, ${rejected} rejected${lastRejection ? ` (last: ${lastRejection})` : ''}`,
    );
  });
  return bridge;
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (e: unknown) => {
    // Also before the logger exists (a bad environment): one plain line people and tests read.
    const error = AerialError.from(e);
    process.stderr.write(`hub: ${error.name}: ${error.message}\n`);
    process.exit(1);
  },
);
