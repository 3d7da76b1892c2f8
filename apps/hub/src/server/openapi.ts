#!/usr/bin/env node
import { LOCAL_STATE_MACHINE_ARN } from '@aerial/contracts';
import { LocalFolderStore } from '@aerial/runtime';
import { SFNClient } from '@aws-sdk/client-sfn';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { buildHub } from '../app';

/**
 * The Hub's OpenAPI document, printed as JSON: the docs build runs this to render the REST API
 * reference. The app is composed with every route plugin (a store and sample photos turn the
 * optional ones on) but never listens, connects to a database or calls an engine: a `pg` pool
 * and an SFN client connect only on their first query, and none is made.
 */
export async function openApiDocument(): Promise<unknown> {
  const folder = mkdtempSync(join(tmpdir(), 'aerial-openapi-'));
  const pool = new Pool({ max: 1 });
  try {
    const store = new LocalFolderStore(folder);
    const hub = await buildHub({
      pool,
      sfn: new SFNClient({ region: 'us-east-1' }),
      stateMachineArn: LOCAL_STATE_MACHINE_ARN,
      store,
      samplePhotos: async () => folder,
    });
    await hub.ready();
    const document = hub.swagger();
    await hub.close();
    return document;
  } finally {
    await pool.end();
    rmSync(folder, { recursive: true, force: true });
  }
}

if (require.main === module) {
  openApiDocument().then(
    (document) => process.stdout.write(`${JSON.stringify(document, null, 2)}\n`),
    (error: unknown) => {
      process.stderr.write(`openapi: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
