import { BROKER_USERS, type RuntimeConfig } from '@aerial/contracts';
import type { Logger } from '@aerial/runtime';
import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { migrate } from '../db/migrate';
import { startEmbeddedBroker } from '../embedded/embedded-broker';
import { startEmbeddedPostgres } from '../embedded/embedded-postgres';

/** What to stop when the Hub stops, last started first. */
export type Stops = (() => Promise<void>)[];

/**
 * The tile database: DATABASE_URL, or PGlite with PostGIS in the data directory (its first start
 * takes a while, so the log says it is still starting). Migrated before it is returned.
 */
export async function openDatabase(
  config: RuntimeConfig,
  log: Logger,
  stops: Stops,
): Promise<{ pool: Pool; url: string }> {
  const started = Date.now();
  const tick = setInterval(() => log.info(`… still starting (${Math.round((Date.now() - started) / 1000)} s)`), 10_000);
  const url: string =
    config.DATABASE_URL ??
    (await startEmbeddedPostgres(config.AERIAL_DATA_DIR, { onProgress: (m) => log.info(m) }).then((pg) => {
      stops.push(pg.stop);
      return pg.url;
    }));
  clearInterval(tick);
  const pool = new Pool({ connectionString: url, max: config.DATABASE_URL ? 10 : 4 });
  // An idle client whose server goes away (PostgreSQL restarting) emits 'error' on the pool;
  // unheard, it would end the process. The pool drops that client and connects anew on demand.
  pool.on('error', (e) => log.warn(`database connection lost (${e.message}); reconnecting on the next query`));
  stops.push(() => pool.end());
  const applied = await migrate(pool);
  if (applied.length) log.info(`database migrated: ${applied.join(', ')}`);
  return { pool, url };
}

/**
 * The broker's URLs for the Hub's bridge and for the engine: MQTT_URL for both, or an embedded
 * aedes with fresh credentials each start: the engine may only publish job events, the Hub's
 * bridge may only read them; nobody else connects.
 */
export async function openBroker(
  config: RuntimeConfig,
  log: Logger,
  stops: Stops,
): Promise<{ hubUrl: string; engineUrl: string }> {
  if (config.MQTT_URL) return { hubUrl: config.MQTT_URL, engineUrl: config.MQTT_URL };
  const secret = () => randomBytes(18).toString('base64url');
  // The same users and topic rights as the cluster's Mosquitto (its ACL is generated from them).
  const hub = { ...BROKER_USERS.hub, password: secret() };
  const engine = { ...BROKER_USERS.engine, password: config.HUB_MQTT_ENGINE_PASSWORD ?? secret() };
  const broker = await startEmbeddedBroker(config.AERIAL_DATA_DIR, { users: { hub, engine } });
  stops.push(broker.stop);
  const withUser = (user: string, password: string) => {
    const url = new URL(broker.url);
    url.username = user;
    url.password = password;
    return url.toString();
  };
  log.info(`embedded MQTT broker on ${broker.url} (WebSocket ${broker.wsUrl}), password-protected`);
  return { hubUrl: withUser('hub', hub.password), engineUrl: withUser('engine', engine.password) };
}
