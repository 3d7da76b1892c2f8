#!/usr/bin/env node
import { AerialError, JobRequestSchema, loadRuntimeConfig, type PipelineEvent, PresetSchema, type RuntimeConfig, STAGE_NAMES, LOCAL_STATE_MACHINE_ARN } from '@aerial/contracts';
import { AERIAL_PIPELINE, stagesFor } from '@aerial/definition';
import { createObjectStore } from '@aerial/runtime';
import { SFNClient } from '@aws-sdk/client-sfn';
import { writeFile } from 'node:fs/promises';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'pg';
import { buildHub } from '../app';
import { ApiKeys } from '../auth/api-keys';
import { startJob } from '../routes/jobs';
import { migrate } from '../db/migrate';
import { TileDatabase } from '../db/tile-database';
import { startEmbeddedBroker } from '../embedded/embedded-broker';
import { startEmbeddedPostgres } from '../embedded/embedded-postgres';
import { MqttEventBridge } from '../mqtt/event-bridge';
import { Publications } from '../products/publications';
import { startEngineProcess } from './engine-process';
import { ArgoWorkflowsEngine } from '../engine/argo-workflows-engine';
import { type JobEngine, StepFunctionsEngine } from '../engine/job-engine';

/** The built web page, two folders up from lib/server (listed in `files`, so `pnpm deploy` ships it). */
const WEB_ROOT = join(__dirname, '..', '..', 'web', 'dist');

const say = (line: string): void => {
  process.stderr.write(`hub: ${line}\n`);
};

/**
 * The Hub as a process. Every service it needs is configured or embedded: DATABASE_URL or PGlite
 * with PostGIS, MQTT_URL or an aedes broker, SFN_ENDPOINT or the local engine started with
 * AERIAL_ENGINE_COMMAND. `--photos DIR` (or `--sample`: a generated survey when there is no job
 * yet) starts a map job once it is up. It prints its URL and runs until SIGINT/SIGTERM.
 */
async function main(argv: string[]): Promise<void> {
  // `pnpm start -- --photos DIR` (the README's form) reaches us as `--sample -- --photos DIR`: the
  // separator is pnpm's, not an end of our options.
  const { values } = parseArgs({
    args: argv.filter((a) => a !== '--'),
    options: { sample: { type: 'boolean' }, photos: { type: 'string' } },
  });
  process.env.AERIAL_DATA_DIR = resolve(process.env.AERIAL_DATA_DIR || '.aerial');
  const config = loadRuntimeConfig(process.env);
  const dataDir = config.AERIAL_DATA_DIR;
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const started = Date.now();
    const tick = setInterval(() => say(`… still starting (${Math.round((Date.now() - started) / 1000)} s)`), 10_000);
    const databaseUrl =
      config.DATABASE_URL ??
      (await startEmbeddedPostgres(dataDir, { onProgress: say }).then((pg) => {
        stops.push(pg.stop);
        return pg.url;
      }));
    clearInterval(tick);
    const pool = new Pool({ connectionString: databaseUrl, max: config.DATABASE_URL ? 10 : 4 });
    // An idle client whose server goes away (PostgreSQL restarting) emits 'error' on the pool;
    // unheard, it would end the process. The pool drops that client and connects anew on demand.
    pool.on('error', (e) => say(`database connection lost (${e.message}); reconnecting on the next query`));
    stops.push(() => pool.end());
    const applied = await migrate(pool);
    if (applied.length) say(`database migrated: ${applied.join(', ')}`);

    let mqttUrl = config.MQTT_URL;
    let engineMqttUrl = config.MQTT_URL;
    if (!mqttUrl) {
      // Fresh credentials each start: the engine may only publish job events, the Hub's bridge
      // may only read them; nobody else connects.
      const secret = () => randomBytes(18).toString('base64url');
      const hub = {
        password: secret(),
        publish: [],
        subscribe: ['aerial/v1/jobs/+/events', 'aerial/v1/jobs/+/status'],
      };
      const engine = {
        password: config.HUB_MQTT_ENGINE_PASSWORD ?? secret(),
        publish: ['aerial/v1/jobs/+/+'],
        subscribe: [],
      };
      const broker = await startEmbeddedBroker(dataDir, { users: { hub, engine } });
      stops.push(broker.stop);
      const withUser = (user: string, password: string) => {
        const url = new URL(broker.url);
        url.username = user;
        url.password = password;
        return url.toString();
      };
      mqttUrl = withUser('hub', hub.password);
      engineMqttUrl = withUser('engine', engine.password);
      say(`embedded MQTT broker on ${broker.url} (WebSocket ${broker.wsUrl}), password-protected`);
    }

    const store = createObjectStore(config);
    const uploads = config.UPLOADS_STORE ? createObjectStore(config, config.UPLOADS_STORE) : store;
    const published = config.PUBLISHED_STORE ? createObjectStore(config, config.PUBLISHED_STORE) : store;
    const engine = await jobEngine(
      config,
      {
        ...process.env,
        AERIAL_DATA_DIR: dataDir,
        MQTT_URL: engineMqttUrl,
        OBJECT_STORE: store.location,
        UPLOADS_STORE: uploads.location,
        PUBLISHED_STORE: published.location,
      },
      stops,
    );

    const tiles = new TileDatabase(pool);
    const publications = new Publications(store, published);
    const progress = terminalProgress(tiles);
    // One persistent session per installation (its database), stable across restarts.
    const clientId = `aerial-hub-${createHash('sha256')
      .update(databaseUrl ?? dataDir)
      .digest('hex')
      .slice(0, 12)}`;
    const bridge = await MqttEventBridge.start(mqttUrl, tiles, {
      clientId,
      onStored: async (event) => {
        await progress(event);
        if (event.type === 'job.published') await publications.record(tiles, event.publication);
      },
    });
    stops.push(async () => {
      await bridge.stop();
      const { stored, duplicates, rejected, lastRejection } = bridge.stats;
      say(
        `events: ${stored} stored, ${duplicates} duplicates, ${rejected} rejected${lastRejection ? ` (last: ${lastRejection})` : ''}`,
      );
    });

    const hasPage = existsSync(join(WEB_ROOT, 'index.html'));
    if (!hasPage) say(`no web page at ${WEB_ROOT} (build the hub package): serving the API only`);
    const hub = await buildHub({
      pool,
      engine,
      rateLimitPerMinute: config.HUB_RATE_LIMIT_PER_MINUTE,
      store,
      uploads,
      published,
      publications,
      live: bridge.live,
      ...(hasPage ? { webRoot: WEB_ROOT } : {}),
      samplePhotos: () => sampleSurvey(dataDir),
    });
    stops.push(() => hub.close());
    await hub.listen({ host: config.HUB_HOST, port: config.HUB_PORT });
    const url = `http://${config.HUB_HOST}:${(hub.server.address() as { port: number }).port}/`;

    const key = await localApiKey(pool, dataDir);
    const photos = values.photos
      ? resolve(values.photos)
      : values.sample && (await tiles.jobs({ limit: 1 })).length === 0
        ? await sampleSurvey(dataDir)
        : undefined;
    if (photos) {
      const request = JobRequestSchema.parse({
        source: { kind: 'folder', path: photos },
        preset: 'map',
        ...(values.photos ? {} : { label: 'sample survey' }),
      });
      const { jobId } = await startJob({ tiles, engine }, request);
      say(`job ${jobId} started on ${photos}: follow it at ${url}#/jobs/${jobId}`);
    }
    process.stdout.write(
      `\nAerial Hub is running: ${url}\n  API key for the page's buttons: ${key.where}\n  (Ctrl+C to stop)\n`,
    );
    await new Promise<void>((done) => {
      for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => done());
    });
    say('stopping');
  } finally {
    await stopAll();
  }
}

/**
 * The terminal's view of each job: a line per stage as it starts, at every quarter of its progress
 * and as it ends, with the job's overall percentage (stages of its preset done), and the outcome.
 */
function terminalProgress(tiles: TileDatabase): (event: PipelineEvent) => Promise<void> {
  const jobs = new Map<string, { stages: string[]; done: Set<string>; quarter: Map<string, number> }>();
  const of = async (jobId: string) => {
    let job = jobs.get(jobId);
    if (!job) {
      const row = await tiles.job(jobId);
      const preset = PresetSchema.safeParse(row?.preset);
      job = {
        stages: preset.success ? stagesFor(AERIAL_PIPELINE, preset.data) : [...STAGE_NAMES],
        done: new Set(),
        quarter: new Map(),
      };
      jobs.set(jobId, job);
    }
    return job;
  };
  return async (event) => {
    const job = await of(event.jobId);
    const overall = () => `${Math.round((job.done.size / job.stages.length) * 100)} % of the job`;
    switch (event.type) {
      case 'stage.started':
        return say(`${event.jobId} ${event.stage}: started (${overall()})`);
      case 'stage.progress': {
        const quarter = Math.floor(event.percent / 25);
        if (quarter > (job.quarter.get(event.stage) ?? 0) && quarter < 4) {
          job.quarter.set(event.stage, quarter);
          say(`${event.jobId} ${event.stage}: ${quarter * 25} %${event.message ? ` — ${event.message}` : ''}`);
        }
        return undefined;
      }
      case 'stage.succeeded':
        job.done.add(event.stage);
        return say(`${event.jobId} ${event.stage}: done (${overall()})`);
      case 'stage.failed':
        return say(`${event.jobId} ${event.stage}: FAILED ${event.error.name}: ${event.error.reason}`);
      case 'job.succeeded':
        jobs.delete(event.jobId);
        return say(`${event.jobId}: SUCCEEDED`);
      case 'job.failed':
        jobs.delete(event.jobId);
        return say(`${event.jobId}: FAILED ${event.error.name}: ${event.error.reason}`);
      case 'job.published':
        return say(`${event.jobId}: published ${event.publication.objects} objects under ${event.publication.prefix}/`);
      default:
        return undefined;
    }
  };
}

/**
 * Where jobs run: Argo Workflows (ARGO_SERVER_URL), Step Functions (SFN_ENDPOINT, with
 * STATE_MACHINE_ARN), or the local engine started as a process of its own (AERIAL_ENGINE_COMMAND).
 */
async function jobEngine(
  config: RuntimeConfig,
  engineEnv: NodeJS.ProcessEnv,
  stops: (() => Promise<void>)[],
): Promise<JobEngine> {
  if (config.ARGO_SERVER_URL) {
    say(`jobs run on Argo Workflows at ${config.ARGO_SERVER_URL} (namespace ${config.ARGO_NAMESPACE})`);
    return new ArgoWorkflowsEngine({
      serverUrl: config.ARGO_SERVER_URL,
      namespace: config.ARGO_NAMESPACE,
      ...(config.ARGO_TOKEN_FILE ? { tokenFile: config.ARGO_TOKEN_FILE } : {}),
    });
  }
  if (config.SFN_ENDPOINT) {
    // AWS credentials and region from the environment (the pod's IAM role in the cloud).
    return new StepFunctionsEngine(
      new SFNClient({ endpoint: config.SFN_ENDPOINT }),
      config.STATE_MACHINE_ARN ?? LOCAL_STATE_MACHINE_ARN,
    );
  }
  if (!config.AERIAL_ENGINE_COMMAND)
    throw new AerialError(
      'Aerial.InvalidInput',
      'no engine: none of ARGO_SERVER_URL, SFN_ENDPOINT and AERIAL_ENGINE_COMMAND is set',
      'run "pnpm start", or point the Hub at Step Functions or Argo Workflows',
    );
  const local = await startEngineProcess(config.AERIAL_ENGINE_COMMAND, engineEnv);
  stops.push(local.stop);
  say(`local engine on ${local.endpoint}`);
  const sfn = new SFNClient({
    endpoint: local.endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return new StepFunctionsEngine(sfn, LOCAL_STATE_MACHINE_ARN);
}

/**
 * The local operator's API key: created on first start and kept (mode 0600) in the data directory,
 * since only its hash is stored in the database.
 */
async function localApiKey(pool: Pool, dataDir: string): Promise<{ where: string }> {
  const path = join(dataDir, 'hub-api-key');
  if (!existsSync(path)) {
    const { key } = await new ApiKeys(pool).create('local operator');
    await writeFile(path, `${key}\n`, { mode: 0o600 });
  }
  return { where: `in ${path}` };
}

async function sampleSurvey(dataDir: string): Promise<string> {
  const dir = join(dataDir, 'sample-survey');
  if (!existsSync(join(dir, 'ground-truth.json'))) {
    say(`rendering a sample survey into ${dir}`);
    const { generateSurvey } = await import('@aerial/sample-data');
    await generateSurvey({
      outDir: dir,
      onProgress: (done, total) =>
        process.stderr.write(`\rhub: rendering photo ${done}/${total} (${Math.round((done / total) * 100)}%)`),
    });
    process.stderr.write('\n');
  }
  return join(dir, 'images');
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (e: unknown) => {
    const error = AerialError.from(e);
    process.stderr.write(`hub: ${error.name}: ${error.message}\n`);
    process.exit(1);
  },
);
