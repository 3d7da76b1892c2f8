import { randomBytes, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { Pool } from 'pg';

const scrypt = promisify(scryptCallback) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;
const KEY_PATTERN = /^aerial_([a-f0-9]{16})_([A-Za-z0-9_-]{43})$/;

/**
 * API keys look like `aerial_<id>_<secret>`. Only a salted scrypt hash of the secret is stored,
 * so a leaked database does not leak working keys; the secret is shown once, when created.
 */
export class ApiKeys {
  constructor(private readonly pool: Pool) {}

  async create(label: string): Promise<{ keyId: string; key: string }> {
    const keyId = randomBytes(8).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const salt = randomBytes(16);
    const hash = await scrypt(secret, salt, 32);
    await this.pool.query('INSERT INTO api_keys (key_id, hash, label) VALUES ($1, $2, $3)', [
      keyId,
      `${salt.toString('base64')}:${hash.toString('base64')}`,
      label,
    ]);
    return { keyId, key: `aerial_${keyId}_${secret}` };
  }

  /** The key's id when `key` is a valid, unrevoked key; undefined otherwise. */
  async verify(key: string | undefined): Promise<string | undefined> {
    const m = key ? KEY_PATTERN.exec(key) : null;
    if (!m) return undefined;
    const result = await this.pool.query('SELECT hash FROM api_keys WHERE key_id = $1 AND revoked_at IS NULL', [m[1]]);
    const stored = (result.rows[0] as { hash: string } | undefined)?.hash;
    if (!stored) return undefined;
    const [salt, hash] = stored.split(':').map((p) => Buffer.from(p, 'base64')) as [Buffer, Buffer];
    const candidate = await scrypt(m[2]!, salt, hash.length);
    return timingSafeEqual(candidate, hash) ? m[1] : undefined;
  }

  async revoke(keyId: string): Promise<void> {
    await this.pool.query('UPDATE api_keys SET revoked_at = now() WHERE key_id = $1', [keyId]);
  }
}
