import { AerialError, type DatasetSource } from '@aerial/contracts';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ObjectStore } from '../../object-store/object-store';
import { type DatasetLimits } from './dataset-limits';
import { openZipDataset } from './zip-dataset';

/** One file of a dataset, not yet read. */
export interface DatasetEntry {
  /** `/`-separated path inside the dataset; undefined when the raw name is not valid UTF-8. */
  readonly name: string | undefined;
  /** The name as bytes were shown to the user, for messages (invalid bytes replaced). */
  readonly displayName: string;
  /** Declared size; reading enforces it. */
  readonly bytes: number;
  /** Set when the entry cannot be read at all (e.g. a symlink in a folder). */
  readonly refusal?: { readonly code: 'symlink' | 'unsafe-name'; readonly message: string };
  read(): Promise<Buffer>;
}

export interface Dataset {
  readonly entries: readonly DatasetEntry[];
  close(): Promise<void>;
}

/** Opens a folder, a zip archive or an object-store prefix, refusing what breaks `limits`. */
export async function openDataset(
  source: DatasetSource,
  uploads: ObjectStore,
  limits: DatasetLimits,
): Promise<Dataset> {
  switch (source.kind) {
    case 'folder':
      return openFolder(source.path, limits);
    case 'zip':
      return openZipDataset(source.path, limits);
    case 'prefix':
      return openPrefix(uploads, source.prefix, limits);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes a raw file name, or undefined when it is not UTF-8. */
export function decodeName(raw: Buffer): string | undefined {
  try {
    return utf8.decode(raw);
  } catch {
    return undefined;
  }
}

async function openFolder(root: string, limits: DatasetLimits): Promise<Dataset> {
  const info = await lstat(root).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new AerialError(
      'Aerial.InvalidInput',
      `${root} is not a folder`,
      'give a folder of photos, a .zip archive, or an uploaded prefix',
    );
  }
  const entries: DatasetEntry[] = [];
  // Names are read as bytes: a name that is not UTF-8 cannot be opened through a decoded string.
  const walk = async (dir: Buffer, prefix: string[]): Promise<void> => {
    for (const raw of (await readdir(dir, { encoding: 'buffer' })).sort(Buffer.compare)) {
      const path = Buffer.concat([dir, Buffer.from('/'), raw]);
      const decoded = decodeName(raw);
      const display = [...prefix, decoded ?? raw.toString('utf8')].join('/');
      if (raw[0] === 0x2e) continue; // dotfiles: .DS_Store and friends
      const stat = await lstat(path);
      if (stat.isDirectory()) {
        await walk(path, [...prefix, decoded ?? raw.toString('utf8')]);
        continue;
      }
      assertRoom(entries, limits, root);
      const name =
        decoded === undefined || prefix.some((p) => p.includes('\uFFFD')) ? undefined : [...prefix, decoded].join('/');
      if (stat.isSymbolicLink()) {
        entries.push({
          name,
          displayName: display,
          bytes: 0,
          refusal: { code: 'symlink', message: 'symbolic links are not followed' },
          read: refused,
        });
        continue;
      }
      if (!stat.isFile()) continue;
      entries.push({
        name,
        displayName: display,
        bytes: stat.size,
        read: () => boundedRead(display, stat.size, limits, () => readFile(path)),
      });
    }
  };
  await walk(Buffer.from(join(root)), []);
  return { entries, close: async () => undefined };
}

async function openPrefix(store: ObjectStore, prefix: string, limits: DatasetLimits): Promise<Dataset> {
  const base = prefix.endsWith('/') ? prefix : `${prefix}/`;
  const entries: DatasetEntry[] = [];
  for await (const object of store.list(base)) {
    assertRoom(entries, limits, base);
    const name = object.key.slice(base.length);
    entries.push({
      name,
      displayName: name,
      bytes: object.bytes,
      read: () => boundedRead(name, object.bytes, limits, () => store.get(object.key)),
    });
  }
  return { entries, close: async () => undefined };
}

async function refused(): Promise<Buffer> {
  throw new Error('this entry is refused and cannot be read');
}

/** Refuses a dataset with more entries than the limits allow, before reading any. */
function assertRoom(entries: readonly DatasetEntry[], limits: DatasetLimits, where: string): void {
  if (entries.length >= limits.maxEntries) {
    throw new AerialError(
      'Aerial.InvalidInput',
      `${where} holds more than ${limits.maxEntries} files`,
      'split the dataset into smaller jobs',
    );
  }
}

/** Reads an entry unless its size is above the per-file limit. */
async function boundedRead(
  name: string,
  bytes: number,
  limits: DatasetLimits,
  load: () => Promise<Buffer>,
): Promise<Buffer> {
  if (bytes > limits.maxFileBytes) throw tooBig(name, bytes, limits);
  return load();
}

export function tooBig(name: string, bytes: number, limits: DatasetLimits): AerialError {
  return new AerialError(
    'Aerial.InvalidInput',
    `${name} is ${(bytes / 1e6).toFixed(0)} MB, above the ${(limits.maxFileBytes / 1e6).toFixed(0)} MB limit per file`,
  );
}
