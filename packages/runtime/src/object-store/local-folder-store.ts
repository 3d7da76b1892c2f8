import { createHash, randomUUID } from 'node:crypto';
import {
  closeSync,
  constants,
  createReadStream,
  fstatSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { copyFile, mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertSafeKey, type ObjectInfo, type ObjectStore, type PutOptions } from './object-store';

const META_SUFFIX = '.aerial-meta.json';
/** Objects up to this size may go without a metadata file: their ETag is hashed from them when read. */
const HASHED_ON_READ_BYTES = 1024 * 1024;
/** Objects whose head is read ahead while listing. */
const LIST_AHEAD = 16;
/** Objects up to this size are written with synchronous calls (see putSmall). */
const SMALL_WRITE_BYTES = 256 * 1024;
/** Content types a file's extension already says, so that they need no metadata file. */
const TYPE_OF_EXTENSION: Readonly<Record<string, string>> = {
  webp: 'image/webp',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  json: 'application/json',
  pbf: 'application/x-protobuf',
};

interface Meta {
  etag: string;
  contentType?: string;
  metadata?: Record<string, string>;
}

/**
 * Objects as files under a folder. Writes go to a temporary file first and are renamed into place,
 * so a reader never sees half an object, as with S3. ETag (MD5, as S3's for a single upload), content
 * type and metadata live in a metadata file beside the object, except for small objects whose
 * extension says their type and that carry no metadata (map tiles): creating files is the slow part
 * of writing on many file systems, and a Tiles stage writes hundreds; their ETag is hashed on read.
 */
export class LocalFolderStore implements ObjectStore {
  readonly location: string;
  private readonly folders = new Set<string>();

  constructor(private readonly root: string) {
    this.location = `file:${root}`;
  }

  private path(key: string): string {
    assertSafeKey(key);
    return join(this.root, ...key.split('/'));
  }

  async put(key: string, body: Buffer | string | Readable, options: PutOptions = {}): Promise<ObjectInfo> {
    const target = this.path(key);
    if ((typeof body === 'string' || Buffer.isBuffer(body)) && Buffer.byteLength(body) <= SMALL_WRITE_BYTES)
      return this.putSmall(key, target, body, options);
    const temp = `${target}.${randomUUID()}.partial`;
    const hash = createHash('md5');
    // The file is opened (and so exists) before any byte flows, so a failure can always remove it;
    // a lazily opened write stream could create it after the clean-up ran.
    const handle = await this.inFolder(temp, () => open(temp, 'w'));
    try {
      if (typeof body === 'string' || Buffer.isBuffer(body)) {
        hash.update(body);
        await handle.writeFile(body);
        await handle.close();
      } else {
        body.on('data', (chunk: Buffer) => hash.update(chunk));
        // The stream closes the handle when it ends or fails.
        await pipeline(body, handle.createWriteStream());
      }
      const meta: Meta = { etag: hash.digest('hex'), contentType: options.contentType, metadata: options.metadata };
      const written = await stat(temp);
      writeMeta(key, target, meta, written.size);
      await rename(temp, target);
      return infoOf(key, meta, written);
    } catch (e) {
      await handle.close().catch(() => undefined);
      await rm(temp, { force: true });
      throw e;
    }
  }

  /**
   * A small object written in a handful of system calls on this thread: for map tiles, handing
   * each call to libuv's threads (shared with libvips' encoders) cost more than the call itself
   * (the Tiles stage ran ~10 % faster; each call here takes microseconds).
   */
  private putSmall(key: string, target: string, body: Buffer | string, options: PutOptions): ObjectInfo {
    const temp = `${target}.${randomUUID()}.partial`;
    const folder = dirname(target);
    if (!this.folders.has(folder)) {
      mkdirSync(folder, { recursive: true });
      this.remember(folder);
    }
    let fd: number;
    try {
      fd = openSync(temp, 'w');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      // The folder went away behind the cache's back.
      mkdirSync(folder, { recursive: true });
      fd = openSync(temp, 'w');
    }
    try {
      writeFileSync(fd, body);
      const written = fstatSync(fd);
      closeSync(fd);
      fd = -1;
      const meta: Meta = {
        etag: createHash('md5').update(body).digest('hex'),
        contentType: options.contentType,
        metadata: options.metadata,
      };
      writeMeta(key, target, meta, written.size);
      renameSync(temp, target);
      return infoOf(key, meta, written);
    } catch (e) {
      if (fd >= 0) closeSync(fd);
      rmSync(temp, { force: true });
      throw e;
    }
  }

  /**
   * Runs `write`, which creates the file at `path`, making its folder first when needed. Folders
   * made are remembered (most writes land in a folder an earlier one made), and forgotten when one
   * turns out to be gone.
   */
  private async inFolder<T>(path: string, write: () => Promise<T>): Promise<T> {
    const folder = dirname(path);
    if (this.folders.has(folder)) {
      try {
        return await write();
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        this.folders.delete(folder);
      }
    }
    await mkdir(folder, { recursive: true });
    this.remember(folder);
    return write();
  }

  private remember(folder: string): void {
    if (this.folders.size > 10_000) this.folders.clear();
    this.folders.add(folder);
  }

  async fileOf(key: string): Promise<string | undefined> {
    const path = this.path(key);
    return (await stat(path).catch(() => undefined))?.isFile() ? path : undefined;
  }

  async get(key: string): Promise<Buffer> {
    try {
      return await readFile(this.path(key));
    } catch (e) {
      throw notFound(e, this.location, key);
    }
  }

  async getStream(key: string): Promise<Readable> {
    const path = this.path(key);
    await stat(path).catch((e: unknown) => {
      throw notFound(e, this.location, key);
    });
    return createReadStream(path);
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const path = this.path(key);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    const meta = await readMeta(path);
    const etag =
      meta?.etag ??
      (info.size <= HASHED_ON_READ_BYTES
        ? await readFile(path)
            .then((bytes) => createHash('md5').update(bytes).digest('hex'))
            .catch(() => undefined)
        : `${info.size}-${info.mtimeMs}`);
    // Gone between the stat and the read.
    if (etag === undefined) return undefined;
    return { key, bytes: info.size, etag, contentType: meta?.contentType ?? typeOfKey(key), lastModified: info.mtime };
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    // Walk only the deepest folder the prefix names, not the whole store.
    const folder = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    const base = folder ? join(this.root, ...folder.split('/')) : this.root;
    const files = await readdir(base, { recursive: true }).catch(() => [] as string[]);
    const keys = files
      .map((f) => (folder ? `${folder}/` : '') + f.split(sep).join('/'))
      .filter((k) => k.startsWith(prefix) && !k.endsWith(META_SUFFIX) && !k.endsWith('.partial'))
      .sort();
    // Heads are read a few ahead of the one yielded: one after another, listing a job's hundreds of
    // tiles waited on each file in turn.
    const ahead: Promise<ObjectInfo | undefined>[] = [];
    for (let k = 0; k < keys.length; k++) {
      while (ahead.length < LIST_AHEAD && k + ahead.length < keys.length)
        ahead.push(this.head(keys[k + ahead.length]!));
      const info = await ahead.shift()!;
      if (info) yield info;
    }
  }

  async copy(from: string, to: string, options: PutOptions = {}): Promise<ObjectInfo> {
    const source = this.path(from);
    const target = this.path(to);
    const small = await this.readSmall(source);
    if (small) {
      // Publishing copies hundreds of tiles: read once, written as put writes small objects.
      return this.putSmall(to, target, small.body, {
        contentType: options.contentType ?? small.meta?.contentType ?? typeOfKey(from),
        metadata: options.metadata,
      });
    }
    const info = await this.head(from);
    if (!info) throw notFound(Object.assign(new Error('ENOENT'), { code: 'ENOENT' }), this.location, from);
    const temp = `${target}.${randomUUID()}.partial`;
    try {
      // A copy-on-write clone where the file system has them, a plain copy elsewhere.
      await this.inFolder(temp, () => copyFile(source, temp, constants.COPYFILE_FICLONE));
      const meta: Meta = {
        etag: info.etag,
        contentType: options.contentType ?? info.contentType,
        metadata: options.metadata,
      };
      const written = await stat(temp);
      writeMeta(to, target, meta, written.size);
      await rename(temp, target);
      return infoOf(to, meta, written);
    } catch (e) {
      await rm(temp, { force: true });
      throw e;
    }
  }

  /** The bytes and metadata file of an object of at most SMALL_WRITE_BYTES; undefined when larger. */
  private async readSmall(path: string): Promise<{ body: Buffer; meta?: Meta } | undefined> {
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile() || info.size > SMALL_WRITE_BYTES) return undefined;
    const [body, meta] = await Promise.all([readFile(path).catch(() => undefined), readMeta(path)]);
    return body && body.length <= SMALL_WRITE_BYTES ? { body, ...(meta ? { meta } : {}) } : undefined;
  }

  async delete(key: string): Promise<void> {
    const path = this.path(key);
    await rm(path, { force: true });
    await rm(`${path}${META_SUFFIX}`, { force: true });
  }
}

/**
 * Writes an object's metadata file, or, when the object needs none, removes one an earlier version
 * left (called before the new bytes are renamed in, so a reader never pairs them with it). A few
 * hundred bytes, written on this thread whatever the object's size.
 */
function writeMeta(key: string, target: string, meta: Meta, bytes: number): void {
  if (needsMeta(key, meta, bytes)) writeFileSync(`${target}${META_SUFFIX}`, JSON.stringify(meta));
  else rmSync(`${target}${META_SUFFIX}`, { force: true });
}

/** The metadata file of the object at `path`, if it has one. */
function readMeta(path: string): Promise<Meta | undefined> {
  return readFile(`${path}${META_SUFFIX}`, 'utf8')
    .then((t) => JSON.parse(t) as Meta)
    .catch(() => undefined);
}

/** What head() would read back for an object just written, without reading it back. */
function infoOf(key: string, meta: Meta, written: { size: number; mtime: Date }): ObjectInfo {
  return {
    key,
    bytes: written.size,
    etag: meta.etag,
    contentType: meta.contentType ?? typeOfKey(key),
    lastModified: written.mtime,
  };
}

/** Whether an object needs a metadata file: it is large, carries metadata, or its type is not its extension's. */
function needsMeta(key: string, meta: Meta, bytes: number): boolean {
  return (
    bytes > HASHED_ON_READ_BYTES ||
    Object.keys(meta.metadata ?? {}).length > 0 ||
    (meta.contentType !== undefined && meta.contentType !== typeOfKey(key))
  );
}

function typeOfKey(key: string): string | undefined {
  const dot = key.lastIndexOf('.');
  return dot > key.lastIndexOf('/') ? TYPE_OF_EXTENSION[key.slice(dot + 1).toLowerCase()] : undefined;
}

function notFound(e: unknown, location: string, key: string): Error {
  if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new Error(`no object ${key} in ${location}`);
  return e as Error;
}
