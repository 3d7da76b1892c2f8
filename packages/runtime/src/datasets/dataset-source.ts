import { AerialError, type DatasetSource } from '@aerial/contracts';
import { lstat, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileOfObject, type ObjectStore } from '../object-store/object-store';
import { type DatasetLimits } from './dataset-limits';
import { type ArchiveNaming, isArchiveName, openZipDataset } from './zip-dataset';

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
  const archives: Archive[] = [];
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
      if (isArchiveName(display)) {
        archives.push({
          name,
          displayName: display,
          open: (naming) => openZipDataset(path.toString(), limits, naming),
        });
        continue;
      }
      entries.push({
        name,
        displayName: display,
        bytes: stat.size,
        read: () => boundedRead(display, stat.size, limits, () => readFile(path)),
      });
    }
  };
  await walk(Buffer.from(join(root)), []);
  return withArchives(entries, archives, limits, root, async () => undefined);
}

async function openPrefix(store: ObjectStore, prefix: string, limits: DatasetLimits): Promise<Dataset> {
  const base = prefix.endsWith('/') ? prefix : `${prefix}/`;
  const entries: DatasetEntry[] = [];
  const archives: Archive[] = [];
  let downloads: string | undefined;
  for await (const object of store.list(base)) {
    assertRoom(entries, limits, base);
    const name = object.key.slice(base.length);
    if (isArchiveName(name)) {
      const download = `${archives.length}.zip`;
      archives.push({
        name,
        displayName: name,
        open: async (naming) => {
          // Checked before the download so an oversized archive cannot fill the worker's disk.
          if (object.bytes > limits.maxTotalBytes) {
            throw new AerialError(
              'Aerial.InvalidInput',
              `archive ${name} refused: ${object.bytes} bytes, more than the ${limits.maxTotalBytes} a job may hold`,
              'split the dataset into smaller jobs',
            );
          }
          downloads ??= await mkdtemp(join(tmpdir(), 'aerial-ingest-'));
          // yauzl reads the central directory at the end first, so the archive must be a local file.
          const file = await fileOfObject(store, object.key, downloads, download);
          return openZipDataset(file, limits, naming);
        },
      });
      continue;
    }
    entries.push({
      name,
      displayName: name,
      bytes: object.bytes,
      read: () => boundedRead(name, object.bytes, limits, () => store.get(object.key)),
    });
  }
  const removeDownloads = async () => {
    if (downloads) await rm(downloads, { recursive: true, force: true });
  };
  return withArchives(entries, archives, limits, base, removeDownloads);
}

/** A zip found in a folder or prefix, not yet opened. */
interface Archive {
  readonly name: string | undefined;
  readonly displayName: string;
  open(naming: ArchiveNaming): Promise<Dataset>;
}

/**
 * Unpacks the archives found beside the files. The Hub page uploads a dropped `.zip` as one
 * object of the dataset's prefix (issue 18), so a folder or prefix is read as the CLI reads the
 * same zip: its entries appear as `archive.zip/<entry>`, with the same defences.
 */
async function withArchives(
  files: DatasetEntry[],
  archives: readonly Archive[],
  limits: DatasetLimits,
  where: string,
  cleanUp: () => Promise<void>,
): Promise<Dataset> {
  const opened: Dataset[] = [];
  const close = async () => {
    for (const dataset of opened) await dataset.close();
    await cleanUp();
  };
  try {
    const entries = [...files];
    for (const archive of archives) {
      const dataset = await archive.open({
        label: archive.displayName,
        namePrefix: archive.name === undefined ? undefined : `${archive.name}/`,
        displayPrefix: `${archive.displayName}/`,
      });
      opened.push(dataset);
      for (const entry of dataset.entries) {
        assertRoom(entries, limits, where);
        entries.push(entry);
      }
    }
    return { entries, close };
  } catch (e) {
    await close();
    throw e;
  }
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
