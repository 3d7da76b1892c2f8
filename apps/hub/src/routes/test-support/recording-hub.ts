import { LocalFolderStore } from '@aerial/runtime';
import type { FastifyInstance } from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { buildHub } from '../../app';
import { ApiKeys } from '../../auth/api-keys';
import { migrate } from '../../db/migrate';
import { freshDatabase } from '../../db/test-support/test-database';
import { RecordingEngine } from './recording-engine';

export interface RecordingHub {
  readonly hub: FastifyInstance;
  readonly pool: Pool;
  /** The Hub's object store folder (uploads land here). */
  readonly dir: string;
  readonly engine: RecordingEngine;
  /** The `authorization` header of an API key. */
  auth(): { authorization: string };
}

/**
 * The whole Hub on a fresh PostgreSQL and a local folder store, with an engine that only records:
 * built before the calling describe block's tests, torn down after them.
 */
export function useRecordingHub(folderPrefix: string): RecordingHub {
  const engine = new RecordingEngine();
  let db: { pool: Pool; drop(): Promise<void> } | undefined;
  let hub: FastifyInstance | undefined;
  let dir = '';
  let key = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), folderPrefix));
    db = await freshDatabase();
    await migrate(db.pool);
    hub = await buildHub({
      pool: db.pool,
      engine,
      store: new LocalFolderStore(dir),
      // Beside the store's objects, never under a dataset's prefix.
      uploadStaging: join(dir, 'upload-staging'),
    });
    key = (await new ApiKeys(db.pool).create('tests')).key;
  });
  afterAll(async () => {
    await hub?.close();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return {
    get hub() {
      return hub!;
    },
    get pool() {
      return db!.pool;
    },
    get dir() {
      return dir;
    },
    engine,
    auth: () => ({ authorization: `Bearer ${key}` }),
  };
}
