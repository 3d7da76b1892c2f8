import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { migrate, MIGRATIONS_DIR } from './migrate';
import { freshDatabase } from './test-support/test-database';

describe('tile database migrations on PostgreSQL + PostGIS', () => {
  let db: { pool: Pool; drop(): Promise<void> };
  beforeAll(async () => {
    db = await freshDatabase();
    await migrate(db.pool);
  });
  afterAll(async () => db?.drop());

  test('migrations are applied once, in order, and PostGIS is there', async () => {
    expect(await migrate(db.pool)).toEqual([]);
    const versions = await db.pool.query('SELECT version FROM schema_migrations ORDER BY version');
    expect(versions.rows.map((r: { version: string }) => r.version)).toEqual(
      readdirSync(MIGRATIONS_DIR)
        .filter((f) => f.endsWith('.sql'))
        .sort()
        .map((f) => f.replace(/\.sql$/, '')),
    );
    expect(versions.rows[0]).toEqual({ version: '001_tile_database' });
    const postgis = await db.pool.query('SELECT postgis_version() AS v');
    expect((postgis.rows[0] as { v: string }).v).toMatch(/^3\./);
    const indexes = await db.pool.query(
      "SELECT indexname FROM pg_indexes WHERE indexdef LIKE '%USING gist%' ORDER BY indexname",
    );
    expect(indexes.rows.map((r: { indexname: string }) => r.indexname)).toEqual([
      'images_footprint_gix',
      'reconstructions_bbox_gix',
    ]);
  });

  test('004: a key made before kinds existed becomes an admin key; a new key must name its kind', async () => {
    const older = await freshDatabase();
    try {
      const dir = mkdtempSync(join(tmpdir(), 'aerial-migrations-'));
      try {
        // The migrations up to 004, then a key as the Hub made them then, then 004.
        for (const file of ['001_tile_database.sql', '002_job_requests.sql'])
          writeFileSync(join(dir, file), readFileSync(join(MIGRATIONS_DIR, file)));
        await migrate(older.pool, dir);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      await older.pool.query(
        "INSERT INTO api_keys (key_id, hash, label) VALUES ('0123456789abcdef', 'x:y', 'local operator')",
      );
      await migrate(older.pool);
      const row = await older.pool.query('SELECT kind, last_used_at FROM api_keys');
      expect(row.rows).toEqual([{ kind: 'admin', last_used_at: null }]);
      await expect(
        older.pool.query("INSERT INTO api_keys (key_id, hash, label) VALUES ('fedcba9876543210', 'x:y', 'no kind')"),
      ).rejects.toThrow(/kind/);
      await expect(
        older.pool.query(
          "INSERT INTO api_keys (key_id, hash, label, kind) VALUES ('fedcba9876543210', 'x:y', 'bad', 'root')",
        ),
      ).rejects.toThrow(/check constraint/);
    } finally {
      await older.drop();
    }
  });

  test('a failing migration is rolled back whole and named', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aerial-migrations-'));
    try {
      writeFileSync(join(dir, '900_broken.sql'), 'CREATE TABLE half_done (id int); SELECT no_such_function();');
      await expect(migrate(db.pool, dir)).rejects.toThrow(/migration 900_broken.sql failed and was rolled back/);
      const table = await db.pool.query("SELECT to_regclass('half_done') AS t");
      expect((table.rows[0] as { t: string | null }).t).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
