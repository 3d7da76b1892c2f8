import { PGlite } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';

export interface EmbeddedPostgres {
  /** A `postgres://` URL the `pg` driver connects to. */
  readonly url: string;
  /** True when the data directory was created by this start (the slow first boot). */
  readonly created: boolean;
  stop(): Promise<void>;
}

/**
 * PostgreSQL + PostGIS in WebAssembly (PGlite), served on a loopback port by pglite-socket so that
 * the Hub's `pg` code runs against it unchanged. The data directory is locked: two processes on one
 * PGlite directory lose writes. All connections share one backend (queries serialize, no
 * LISTEN/NOTIFY, no advisory locks, no ST_AsMVT), which the Hub is written for.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  options: { port?: number; maxConnections?: number; onProgress?: (message: string) => void } = {},
): Promise<EmbeddedPostgres> {
  const dir = join(dataDir, 'pglite');
  const created = !existsSync(join(dir, 'PG_VERSION'));
  await mkdir(dir, { recursive: true });
  const release = await lockfile.lock(dir, { stale: 30_000, update: 10_000, realpath: false }).catch((e: unknown) => {
    throw new Error(
      `the embedded database at ${dir} is in use by another Hub (${(e as Error).message}); stop it, or set DATABASE_URL`,
    );
  });
  try {
    options.onProgress?.(
      created
        ? `creating the embedded PostgreSQL + PostGIS in ${dir} (first start: about a minute)`
        : `opening the embedded PostgreSQL in ${dir}`,
    );
    const db = await PGlite.create({ dataDir: dir, extensions: { postgis } });
    await db.exec('CREATE EXTENSION IF NOT EXISTS postgis');
    const server = new PGLiteSocketServer({
      db,
      host: '127.0.0.1',
      port: options.port ?? 0,
      maxConnections: options.maxConnections ?? 8,
    });
    await server.start();
    const port = await listeningPort(server, options.port ?? 0);
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      created,
      stop: async () => {
        await server.stop();
        await db.close();
        await release();
      },
    };
  } catch (e) {
    await release();
    throw e;
  }
}

/** The port the socket server bound (it does not report it when asked for any free port). */
async function listeningPort(server: PGLiteSocketServer, asked: number): Promise<number> {
  const inner = (server as unknown as { server?: { address(): { port: number } | string | null } }).server;
  const address = inner?.address();
  if (address && typeof address === 'object') return address.port;
  if (asked) return asked;
  throw new Error('the embedded PostgreSQL socket did not report its port');
}
