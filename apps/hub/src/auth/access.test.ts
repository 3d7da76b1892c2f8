import { LocalFolderStore } from '@aerial/runtime';
import type { FastifyInstance } from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { buildHub } from '../app';
import { migrate } from '../db/migrate';
import { freshDatabase } from '../db/test-support/test-database';
import { RecordingEngine } from '../routes/test-support/recording-engine';
import { ApiKeys } from './api-keys';

/** Who may do what, with reads requiring a key (HUB_REQUIRE_KEY_FOR_READS=true). */
describe('API keys and access', () => {
  const engine = new RecordingEngine();
  let db: { pool: Pool; drop(): Promise<void> };
  let hub: FastifyInstance;
  let open: FastifyInstance;
  let dir: string;
  const keys: Record<'admin' | 'write' | 'read', string> = { admin: '', write: '', read: '' };
  const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
  const jobRequest = { source: { kind: 'folder', path: '/photos' }, preset: 'survey' };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aerial-access-'));
    db = await freshDatabase();
    await migrate(db.pool);
    const store = new LocalFolderStore(dir);
    hub = await buildHub({ pool: db.pool, engine, store, requireKeyForReads: true });
    open = await buildHub({ pool: db.pool, engine, store });
    const made = new ApiKeys(db.pool);
    for (const kind of ['admin', 'write', 'read'] as const) keys[kind] = (await made.create(`${kind} key`, kind)).key;
  });
  afterAll(async () => {
    await hub?.close();
    await open?.close();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('reads need a key when required: 401 without one, or with a malformed or unknown one', async () => {
    for (const url of ['/api/jobs', '/api/job-options', '/tiles/job-x/1/0/0.webp', '/api/jobs/job-x/events']) {
      expect((await hub.inject({ url })).statusCode).toBe(401);
      expect((await hub.inject({ url, headers: bearer('aerial_nope') })).statusCode).toBe(401);
      expect((await hub.inject({ url, headers: bearer(`aerial_0123456789abcdef_${'a'.repeat(43)}`) })).statusCode).toBe(
        401,
      );
    }
    // Percent-encoded, the router still finds the routes: so must the key check.
    for (const url of ['/%61pi/jobs', '/%74iles/job-x/1/0/0.webp', '/api/%6aobs'])
      expect((await hub.inject({ url })).statusCode).toBe(401);
    const refused = await hub.inject({ url: '/api/jobs' });
    expect(refused.json()).toEqual({ error: expect.objectContaining({ reason: 'a valid API key is required' }) });
  });

  test('a read key reads, and so does the cookie the page sets (for reads only)', async () => {
    expect((await hub.inject({ url: '/api/jobs', headers: bearer(keys.read) })).statusCode).toBe(200);
    expect(
      (await hub.inject({ url: '/api/jobs', headers: { cookie: `other=1; aerial_key=${keys.read}` } })).statusCode,
    ).toBe(200);
    // A cookie never authorises a change: a page elsewhere could make the browser send it.
    const byCookie = await hub.inject({
      method: 'POST',
      url: '/api/jobs',
      headers: { cookie: `aerial_key=${keys.admin}` },
      payload: jobRequest,
    });
    expect(byCookie.statusCode).toBe(401);
  });

  test('health, readiness, the API docs and the page stay open', async () => {
    for (const url of ['/health', '/ready', '/openapi.json']) expect((await hub.inject({ url })).statusCode).toBe(200);
  });

  test('without the option reads are open and writes still need a key', async () => {
    expect((await open.inject({ url: '/api/jobs' })).statusCode).toBe(200);
    expect((await open.inject({ method: 'POST', url: '/api/jobs', payload: jobRequest })).statusCode).toBe(401);
  });

  test('a read-only key cannot start, cancel or retry jobs, or manage keys: 403', async () => {
    const started = engine.started.length;
    for (const [method, url, payload] of [
      ['POST', '/api/jobs', jobRequest],
      ['POST', '/api/jobs/job-x/cancel', undefined],
      ['POST', '/api/jobs/job-x/retry', undefined],
      ['POST', '/api/datasets', { label: 'x' }],
      ['GET', '/api/keys', undefined],
      ['POST', '/api/keys', { label: 'x' }],
    ] as const) {
      const reply = await hub.inject({ method, url, headers: bearer(keys.read), ...(payload ? { payload } : {}) });
      expect({ url, status: reply.statusCode }).toEqual({ url, status: 403 });
      expect(reply.json().error.reason).toMatch(/this read key cannot do this: it needs a key of kind (write|admin)/);
    }
    expect(engine.started).toHaveLength(started);
  });

  test('a write key starts jobs but cannot manage keys', async () => {
    const reply = await hub.inject({
      method: 'POST',
      url: '/api/jobs',
      headers: bearer(keys.write),
      payload: jobRequest,
    });
    expect(reply.statusCode).toBe(202);
    expect((await hub.inject({ url: '/api/keys', headers: bearer(keys.write) })).statusCode).toBe(403);
  });

  test('an admin creates a key (secret shown once), lists keys without secrets, and revokes one', async () => {
    const created = await hub.inject({
      method: 'POST',
      url: '/api/keys',
      headers: bearer(keys.admin),
      payload: { label: 'dashboard', kind: 'read' },
    });
    expect(created.statusCode).toBe(201);
    const { key, keyId } = created.json<{ key: string; keyId: string }>();
    expect(key).toMatch(new RegExp(`^aerial_${keyId}_[A-Za-z0-9_-]{43}$`));
    expect((await hub.inject({ url: '/api/jobs', headers: bearer(key) })).statusCode).toBe(200);

    const listed = await hub.inject({ url: '/api/keys', headers: bearer(keys.admin) });
    expect(listed.statusCode).toBe(200);
    const secret = key.slice('aerial_'.length + 17);
    expect(listed.body).not.toContain(secret);
    for (const k of Object.values(keys)) expect(listed.body).not.toContain(k.slice('aerial_'.length + 17));
    expect(listed.body).not.toMatch(/hash|scrypt/i);
    const row = listed.json<{ keys: Record<string, unknown>[] }>().keys.find((k) => k.keyId === keyId);
    expect(row).toEqual({
      keyId,
      label: 'dashboard',
      kind: 'read',
      createdAt: expect.any(String),
      lastUsedAt: expect.any(String),
      revokedAt: null,
    });

    const revoked = await hub.inject({ method: 'POST', url: `/api/keys/${keyId}/revoke`, headers: bearer(keys.admin) });
    expect(revoked.statusCode).toBe(200);
    expect((await hub.inject({ url: '/api/jobs', headers: bearer(key) })).statusCode).toBe(401);
    const after = (await hub.inject({ url: '/api/keys', headers: bearer(keys.admin) })).json<{
      keys: { keyId: string; revokedAt: string | null }[];
    }>();
    expect(after.keys.find((k) => k.keyId === keyId)?.revokedAt).toEqual(expect.any(String));
  });

  test('the last admin key cannot be revoked; an unknown key is 404', async () => {
    const admins = (await hub.inject({ url: '/api/keys', headers: bearer(keys.admin) })).json<{
      keys: { keyId: string; kind: string }[];
    }>();
    const adminId = admins.keys.find((k) => k.kind === 'admin')!.keyId;
    const last = await hub.inject({ method: 'POST', url: `/api/keys/${adminId}/revoke`, headers: bearer(keys.admin) });
    expect(last.statusCode).toBe(409);
    expect(last.json().error.remedy).toMatch(/create another admin key first/);
    const unknown = await hub.inject({
      method: 'POST',
      url: '/api/keys/0123456789abcdef/revoke',
      headers: bearer(keys.admin),
    });
    expect(unknown.statusCode).toBe(404);
  });

  test('a revoked write key is refused for writes and reads', async () => {
    const made = new ApiKeys(db.pool);
    const { key, keyId } = await made.create('soon revoked', 'write');
    expect((await hub.inject({ url: '/api/jobs', headers: bearer(key) })).statusCode).toBe(200);
    await hub.inject({ method: 'POST', url: `/api/keys/${keyId}/revoke`, headers: bearer(keys.admin) });
    expect((await hub.inject({ url: '/api/jobs', headers: bearer(key) })).statusCode).toBe(401);
    expect(
      (await hub.inject({ method: 'POST', url: '/api/jobs', headers: bearer(key), payload: jobRequest })).statusCode,
    ).toBe(401);
  });
});
