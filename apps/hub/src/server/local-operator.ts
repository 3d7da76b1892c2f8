import { AerialError } from '@aerial/contracts';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { ApiKeys } from '../auth/api-keys';

/**
 * The local operator's API key: created on first start and kept (mode 0600) in the data directory,
 * since only its hash is stored in the database. It is an admin key: the first key of an
 * installation, with which the page's Keys panel (or POST /api/keys) makes the others.
 */
export async function localApiKey(pool: Pool, dataDir: string): Promise<{ where: string }> {
  const path = join(dataDir, 'hub-api-key');
  if (!existsSync(path)) {
    const { key } = await new ApiKeys(pool).create('local operator', 'admin');
    await writeFile(path, `${key}\n`, { mode: 0o600 });
  }
  return { where: `in ${path}` };
}

/**
 * The sample survey's photos, where the workers' `aerial sample` renders them (`pnpm start` runs
 * it first): rendering pulls sharp, which the Hub keeps out of its dependencies.
 */
export async function samplePhotos(dataDir: string): Promise<string> {
  const dir = join(dataDir, 'sample-survey');
  if (!existsSync(join(dir, 'ground-truth.json')))
    throw new AerialError(
      'Aerial.InvalidInput',
      `there is no sample survey in ${dir}`,
      `render it with "pnpm aerial sample" (the workers' "aerial sample", with AERIAL_DATA_DIR=${dataDir})`,
    );
  return join(dir, 'images');
}
