import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** What a store knows about one object. */
export interface ObjectInfo {
  readonly key: string;
  readonly bytes: number;
  readonly etag: string;
  readonly contentType?: string;
  readonly lastModified: Date;
}

export interface PutOptions {
  readonly contentType?: string;
  /** Object tags / user metadata, e.g. the job that wrote it. */
  readonly metadata?: Record<string, string>;
}

/**
 * The one interface every stage uses for objects: the local folder by default, Amazon S3 in the
 * cloud. Keys are `/`-separated and never contain `..` or start with `/`.
 */
export interface ObjectStore {
  /** A short description for logs and errors, e.g. `file:/data/objects` or `s3://bucket/prefix`. */
  readonly location: string;
  put(key: string, body: Buffer | string | Readable, options?: PutOptions): Promise<ObjectInfo>;
  get(key: string): Promise<Buffer>;
  getStream(key: string): Promise<Readable>;
  /** Undefined when the object does not exist. */
  head(key: string): Promise<ObjectInfo | undefined>;
  /**
   * The file that holds the object, for stores that keep objects as files (readers must not
   * change it); lets a tool that wants a path skip a copy. See `fileOfObject`.
   */
  fileOf?(key: string): Promise<string | undefined>;
  /** Objects whose key starts with `prefix`, in key order. */
  list(prefix: string): AsyncIterable<ObjectInfo>;
  delete(key: string): Promise<void>;
  /**
   * Copies an object inside the store without moving its bytes through this process (S3
   * CopyObject, a file copy locally); `options` replace the copy's content type and metadata.
   */
  copy(from: string, to: string, options?: PutOptions): Promise<ObjectInfo>;
  /**
   * Copies an object of another store without moving its bytes through this process where the
   * two stores allow it (S3 to S3); undefined where they do not. See `copyBetween`.
   */
  copyFrom?(source: ObjectStore, from: string, to: string, options?: PutOptions): Promise<ObjectInfo | undefined>;
}

/**
 * Copies `from` of `source` to `to` of `target`: inside one store with its own copy, between
 * stores server-side where they can (the work bucket to the published bucket), and by streaming
 * the object through this process otherwise (a local folder to another).
 */
export async function copyBetween(
  source: ObjectStore,
  from: string,
  target: ObjectStore,
  to: string,
  options: PutOptions = {},
): Promise<ObjectInfo> {
  if (source === target) return target.copy(from, to, options);
  const copied = await target.copyFrom?.(source, from, to, options);
  if (copied) return copied;
  const info = await source.head(from);
  if (!info) throw new Error(`no object ${from} in ${source.location}`);
  return target.put(to, await source.getStream(from), {
    contentType: options.contentType ?? info.contentType,
    ...(options.metadata ? { metadata: options.metadata } : {}),
  });
}

/** Refuses keys that could escape a prefix or the store's root. */
export function assertSafeKey(key: string): void {
  if (
    typeof key !== 'string' ||
    key.length === 0 ||
    key.length > 1024 ||
    key.startsWith('/') ||
    key.includes('\\') ||
    key.includes('\0') ||
    key.split('/').some((part) => part === '..' || part === '.' || part === '')
  ) {
    throw new Error(
      `unsafe object key ${JSON.stringify(key)}: keys are /-separated names without "..", "." or empty parts`,
    );
  }
}

/** Reads a JSON object. */
export async function getJson(store: ObjectStore, key: string): Promise<unknown> {
  const body = await store.get(key);
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch (e) {
    throw new Error(`${store.location}/${key} is not valid JSON: ${(e as Error).message}`);
  }
}

export function putJson(store: ObjectStore, key: string, value: unknown): Promise<ObjectInfo> {
  return store.put(key, `${JSON.stringify(value, null, 2)}\n`, { contentType: 'application/json' });
}

/**
 * A local file with the object's bytes: the store's own file when it keeps one, otherwise a
 * download to `dir/name` (the caller removes `dir`).
 */
export async function fileOfObject(store: ObjectStore, key: string, dir: string, name: string): Promise<string> {
  const own = await store.fileOf?.(key);
  if (own) return own;
  const path = join(dir, name);
  await pipeline(await store.getStream(key), createWriteStream(path));
  return path;
}
