import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';

import { REPO_ROOT, renderSample, spawnHub } from '../spawn-hub';

export { REPO_ROOT, renderSample, type SpawnedHub, spawnHub } from '../spawn-hub';
const HUB_MAIN = join(REPO_ROOT, 'apps', 'hub', 'lib', 'server', 'main.js');
const ENGINE_MAIN = join(REPO_ROOT, 'apps', 'workers', 'lib', 'cli', 'main.js');

/** The services tools/services/setup.sh installs and starts (loopback only). */
export const TEST_DATABASE_URL =
  process.env.AERIAL_TEST_DATABASE_URL ?? 'postgres://aerial:aerial-test@127.0.0.1:5432/aerial_test';
export const TEST_MQTT_URL = process.env.AERIAL_TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';

export interface RunningHub {
  readonly url: string;
  readonly dataDir: string;
  readonly apiKey: string;
  readonly log: string[];
  stop(): Promise<void>;
}

/**
 * Starts the Hub as `pnpm start` does (its own process, the local engine as another), on the
 * embedded services or on the real ones, with the sample job. Resolves once it prints its URL.
 */
export async function startHub(
  services: 'embedded' | 'real',
  o: { sample?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<RunningHub> {
  for (const program of [HUB_MAIN, ENGINE_MAIN])
    if (!existsSync(program)) throw new Error(`${program} is not built: run "pnpm build" first`);
  const dataDir = mkdtempSync(join(tmpdir(), `aerial-hub-${services}-`));
  const database = services === 'real' ? await freshDatabase() : undefined;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...o.env,
    AERIAL_DATA_DIR: dataDir,
    HUB_PORT: '0',
    AERIAL_ENGINE_COMMAND: `${process.execPath} ${ENGINE_MAIN} engine`,
    // On the real services the products go to a store of their own, as to the published bucket
    // in the cloud: the Hub must serve them from there.
    ...(database
      ? {
          DATABASE_URL: database.url,
          MQTT_URL: TEST_MQTT_URL,
          PUBLISHED_STORE: `file:${join(dataDir, 'published-bucket')}`,
        }
      : {}),
  };
  delete env.OBJECT_STORE;
  if (!database) delete env.PUBLISHED_STORE;
  delete env.SFN_ENDPOINT;
  if (!database) {
    delete env.DATABASE_URL;
    delete env.MQTT_URL;
  }
  renderSample(ENGINE_MAIN, env);
  // `sample: false`: no job on launch, for tests that start their own.
  const hub = await spawnHub(o.sample === false ? [HUB_MAIN] : [HUB_MAIN, '--sample'], { env, timeoutMs: 180_000 });
  const apiKey = readFileSync(join(dataDir, 'hub-api-key'), 'utf8').trim();
  return {
    url: hub.url,
    dataDir,
    apiKey,
    log: hub.log,
    stop: async () => {
      await hub.stop();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function freshDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = new Pool({ connectionString: TEST_DATABASE_URL, max: 1 });
  const name = `aerial_e2e_${randomBytes(6).toString('hex')}`;
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (e) {
    await admin.end();
    throw new Error(`the PostgreSQL test server is not reachable (${(e as Error).message}): run "pnpm services" first`);
  }
  return {
    url: TEST_DATABASE_URL.replace(/\/[^/]+$/, `/${name}`),
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}
