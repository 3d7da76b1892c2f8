import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';

/** The local test server tools/services/setup.sh installs and starts (loopback only). */
export const TEST_SERVER_URL =
  process.env.AERIAL_TEST_DATABASE_URL ?? 'postgres://aerial:aerial-test@127.0.0.1:5432/aerial_test';

/** A fresh database on the test server for one test file, dropped afterwards. */
export async function freshDatabase(): Promise<{ pool: Pool; drop(): Promise<void> }> {
  const admin = new Pool({ connectionString: TEST_SERVER_URL, max: 1 });
  const name = `aerial_t_${randomBytes(6).toString('hex')}`;
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (e) {
    await admin.end();
    throw new Error(
      `the PostgreSQL test server is not reachable at ${TEST_SERVER_URL.replace(/:[^:@/]+@/, ':***@')}: ${(e as Error).message}; run "pnpm services" (tools/services/setup.sh) first`,
    );
  }
  const url = new URL(TEST_SERVER_URL);
  url.pathname = `/${name}`;
  const pool = new Pool({ connectionString: url.toString(), max: 4 });
  // Dropping the database terminates idle connections; that is the point, not a failure.
  pool.on('error', () => undefined);
  return {
    pool,
    drop: async () => {
      await pool.end();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}
