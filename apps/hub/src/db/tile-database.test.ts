import { type CatalogImageRow, type PipelineEvent } from '@aerial/contracts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { migrate } from './migrate';
import { freshDatabase } from './test-support/test-database';
import { TileDatabase } from './tile-database';

/** A square footprint of `size` degrees at (lon, lat). */
const square = (lon: number, lat: number, size = 0.001) => ({
  type: 'Polygon' as const,
  coordinates: [
    [
      [lon, lat],
      [lon + size, lat],
      [lon + size, lat + size],
      [lon, lat + size],
      [lon, lat],
    ] as [number, number][],
  ],
});

describe('tile database on PostgreSQL + PostGIS', () => {
  let db: { pool: Pool; drop(): Promise<void> };
  let tiles: TileDatabase;
  beforeAll(async () => {
    db = await freshDatabase();
    await migrate(db.pool);
    tiles = new TileDatabase(db.pool);
  });
  afterAll(async () => db?.drop());

  test('migrations are applied once, in order, and PostGIS is there', async () => {
    expect(await migrate(db.pool)).toEqual([]);
    const versions = await db.pool.query('SELECT version FROM schema_migrations ORDER BY version');
    expect(versions.rows.map((r: { version: string }) => r.version)).toEqual(['001_tile_database', '002_job_requests']);
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

  test('events move a job along, are stored once, and invalid ones are refused', async () => {
    await tiles.recordJob('job-db-1', {
      source: { kind: 'folder', path: '/x' },
      preset: 'survey',
      options: {},
      priority: 'normal',
      notify: [],
    });
    const at = (s: number) => new Date(Date.UTC(2026, 10, 22, 10, 0, s)).toISOString();
    const events: PipelineEvent[] = [
      { type: 'job.started', jobId: 'job-db-1', at: at(0) },
      { type: 'stage.started', jobId: 'job-db-1', at: at(1), stage: 'Ingest', attempt: 1 },
      {
        type: 'job.failed',
        jobId: 'job-db-1',
        at: at(2),
        error: { name: 'Aerial.QualityRejected', reason: 'only 1 of 18 passed' },
      },
    ];
    for (const e of events) expect(await tiles.recordEvent(e)).toBe(true);
    expect(await tiles.recordEvent(events[1])).toBe(false);
    expect(await tiles.events('job-db-1')).toHaveLength(3);
    expect(await tiles.jobStatus('job-db-1')).toEqual({
      status: 'failed',
      stage: 'Ingest',
      errorName: 'Aerial.QualityRejected',
      errorReason: 'only 1 of 18 passed',
    });
    await expect(
      tiles.recordEvent({ type: 'stage.progress', jobId: 'job-db-1', at: at(3), stage: 'Ingest', percent: 250 }),
    ).rejects.toThrow(/invalid pipeline event: percent/);
  });

  test('images with footprints make a reconstruction found by bounding box once published', async () => {
    await tiles.recordJob('job-db-2', {
      source: { kind: 'folder', path: '/x' },
      preset: 'survey',
      options: {},
      priority: 'normal',
      notify: [],
    });
    const rows: CatalogImageRow[] = [
      {
        jobId: 'job-db-2',
        image: 'A.JPG',
        sha256: 'a'.repeat(64),
        accepted: true,
        reasons: [],
        longitude: 0.1,
        latitude: 52.1,
        gsdCm: 5.4,
        footprint: square(0.1, 52.1),
      },
      {
        jobId: 'job-db-2',
        image: 'B.JPG',
        sha256: 'b'.repeat(64),
        accepted: true,
        reasons: [],
        footprint: square(0.1005, 52.1),
      },
      {
        jobId: 'job-db-2',
        image: 'C.JPG',
        sha256: 'c'.repeat(64),
        accepted: false,
        reasons: [{ code: 'no-gps', message: 'no GPS' }],
      },
    ];
    await tiles.recordImages(rows);
    await tiles.recordImages(rows); // idempotent
    expect((await tiles.footprints('job-db-2')).features).toHaveLength(2);
    await tiles.recordReconstruction('job-db-2', { footprints: 'jobs/job-db-2/Footprints/footprints.geojson' }, 5.4);
    expect(await tiles.reconstructionsIn([0, 52, 1, 53])).toEqual([]);
    await tiles.publish('job-db-2');
    const found = await tiles.reconstructionsIn([0, 52, 1, 53]);
    expect(found).toHaveLength(1);
    expect(found[0]!.bbox.map((v) => Number(v.toFixed(4)))).toEqual([0.1, 52.1, 0.1015, 52.101]);
    expect(await tiles.reconstructionsIn([10, 10, 11, 11])).toEqual([]);
    await expect(tiles.reconstructionsIn([1, 53, 0, 52])).rejects.toThrow(/west ≤ east/);
  });

  test('a reconstruction needs at least one accepted footprint', async () => {
    await tiles.recordJob('job-db-3', {
      source: { kind: 'folder', path: '/x' },
      preset: 'survey',
      options: {},
      priority: 'normal',
      notify: [],
    });
    await expect(tiles.recordReconstruction('job-db-3', {})).rejects.toThrow(/no accepted image footprints/);
  });
});
