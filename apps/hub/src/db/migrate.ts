import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Pool } from 'pg';

/**
 * Where the ordered `NNN_name.sql` migrations live: `src/db/migrations`, reached from `src/db` (tests)
 * and `lib/db` (the built Hub) alike; the package's `files` list ships it with `pnpm deploy`.
 */
export const MIGRATIONS_DIR = join(__dirname, '..', '..', 'src', 'db', 'migrations');

/**
 * Applies the migrations not yet applied, in order, each in its own transaction with its version
 * row, so a failed migration leaves nothing half done. A table lock (not an advisory lock, which
 * the embedded PGlite lacks) keeps two Hubs from migrating at once. Plain ordered SQL files: a
 * migration tool would add a dependency for what is thirty lines here.
 */
export async function migrate(pool: Pool, dir = MIGRATIONS_DIR): Promise<string[]> {
  await pool.query(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
  );
  const files = (await readdir(dir)).filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f)).sort();
  const applied: string[] = [];
  for (const file of files) {
    const version = file.replace(/\.sql$/, '');
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('LOCK TABLE schema_migrations IN EXCLUSIVE MODE');
      const done = await client.query('SELECT 1 FROM schema_migrations WHERE version = $1', [version]);
      if (done.rowCount === 0) {
        await client.query(await readFile(join(dir, file), 'utf8'));
        await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [version]);
        applied.push(version);
      }
      await client.query('COMMIT');
    } catch (e) {
      await client.query('ROLLBACK');
      throw new Error(`migration ${file} failed and was rolled back: ${(e as Error).message}`);
    } finally {
      client.release();
    }
  }
  return applied;
}
