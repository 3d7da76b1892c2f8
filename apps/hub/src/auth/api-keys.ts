import { createHash, randomBytes, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { LRUCache } from 'lru-cache';
import type { Pool } from 'pg';

const scrypt = promisify(scryptCallback) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;
const KEY_PATTERN = /^aerial_([a-f0-9]{16})_([A-Za-z0-9_-]{43})$/;

/** What a key may do, each kind all the one before it may: read < write < admin. */
export const API_KEY_KINDS = ['read', 'write', 'admin'] as const;
export type ApiKeyKind = (typeof API_KEY_KINDS)[number];

/** Whether a key of kind `has` may do what needs `needs`. */
export function allows(has: ApiKeyKind, needs: ApiKeyKind): boolean {
  return API_KEY_KINDS.indexOf(has) >= API_KEY_KINDS.indexOf(needs);
}

/** A key as it is listed: never its secret or its hash. */
export interface ApiKeyInfo {
  readonly keyId: string;
  readonly label: string;
  readonly kind: ApiKeyKind;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
}

/** A key that verified: who it is and what it may do. */
export interface VerifiedKey {
  readonly keyId: string;
  readonly kind: ApiKeyKind;
}

/**
 * How long a verified key is trusted without asking the database again. scrypt costs tens of
 * milliseconds by design and a page polls twice a second; a revocation through this Hub takes
 * effect at once, through another replica within this time.
 */
const VERIFIED_TTL_MS = 10_000;

/**
 * API keys look like `aerial_<id>_<secret>`. Only a salted scrypt hash of the secret is stored,
 * so a leaked database does not leak working keys; the secret is shown once, when created.
 */
export class ApiKeys {
  /** Verified keys by the SHA-256 of the whole key (the key itself is not kept in memory). */
  private readonly verified = new LRUCache<string, VerifiedKey>({ max: 1000, ttl: VERIFIED_TTL_MS });

  constructor(private readonly pool: Pool) {}

  /** A new key; `kind` defaults to `write` (start and control jobs, no key management). */
  async create(label: string, kind: ApiKeyKind = 'write'): Promise<{ keyId: string; key: string; info: ApiKeyInfo }> {
    const keyId = randomBytes(8).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const salt = randomBytes(16);
    const hash = await scrypt(secret, salt, 32);
    const result = await this.pool.query(
      `INSERT INTO api_keys (key_id, hash, label, kind) VALUES ($1, $2, $3, $4)
       RETURNING key_id, label, kind, created_at, last_used_at, revoked_at`,
      [keyId, `${salt.toString('base64')}:${hash.toString('base64')}`, label, kind],
    );
    return { keyId, key: `aerial_${keyId}_${secret}`, info: infoOf(result.rows[0] as KeyRow) };
  }

  /** The key's id and kind when `key` is a valid, unrevoked key; undefined otherwise. */
  async verify(key: string | undefined): Promise<VerifiedKey | undefined> {
    const m = key ? KEY_PATTERN.exec(key) : null;
    if (!key || !m) return undefined;
    const digest = createHash('sha256').update(key).digest('hex');
    const hit = this.verified.get(digest);
    if (hit) return hit;
    const result = await this.pool.query('SELECT hash, kind FROM api_keys WHERE key_id = $1 AND revoked_at IS NULL', [
      m[1],
    ]);
    const row = result.rows[0] as { hash: string; kind: ApiKeyKind } | undefined;
    if (!row) return undefined;
    const [salt, hash] = row.hash.split(':').map((p) => Buffer.from(p, 'base64')) as [Buffer, Buffer];
    const candidate = await scrypt(m[2]!, salt, hash.length);
    if (!timingSafeEqual(candidate, hash)) return undefined;
    const verified = { keyId: m[1]!, kind: row.kind };
    this.verified.set(digest, verified);
    await this.pool.query('UPDATE api_keys SET last_used_at = now() WHERE key_id = $1', [m[1]]);
    return verified;
  }

  /** Every key, newest first, with what it may do and when it was last used. */
  async list(): Promise<ApiKeyInfo[]> {
    const result = await this.pool.query(
      'SELECT key_id, label, kind, created_at, last_used_at, revoked_at FROM api_keys ORDER BY created_at DESC, key_id',
    );
    return (result.rows as KeyRow[]).map(infoOf);
  }

  /** Revokes the key; false when there is no such key. Revoking twice keeps the first time. */
  async revoke(keyId: string): Promise<boolean> {
    const result = await this.pool.query(
      'UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE key_id = $1',
      [keyId],
    );
    // Forget it at once here (other replicas within VERIFIED_TTL_MS).
    for (const [digest, key] of this.verified.entries()) if (key.keyId === keyId) this.verified.delete(digest);
    return (result.rowCount ?? 0) > 0;
  }

  /** How many unrevoked admin keys there are, other than `keyId`. */
  async otherAdmins(keyId: string): Promise<number> {
    const result = await this.pool.query(
      "SELECT count(*)::int AS n FROM api_keys WHERE kind = 'admin' AND revoked_at IS NULL AND key_id <> $1",
      [keyId],
    );
    return (result.rows[0] as { n: number }).n;
  }
}

interface KeyRow {
  key_id: string;
  label: string;
  kind: ApiKeyKind;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

function infoOf(row: KeyRow): ApiKeyInfo {
  return {
    keyId: row.key_id,
    label: row.label,
    kind: row.kind,
    createdAt: new Date(row.created_at).toISOString(),
    lastUsedAt: row.last_used_at ? new Date(row.last_used_at).toISOString() : null,
    revokedAt: row.revoked_at ? new Date(row.revoked_at).toISOString() : null,
  };
}
