import { AerialError } from '@aerial/contracts';
import { stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { type DatasetLimits } from './dataset-limits';
import { type Dataset, type DatasetEntry, decodeName, tooBig } from './dataset-source';

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

const refuse = (archive: string, why: string, remedy = 'repack the archive with plain relative file names') =>
  new AerialError('Aerial.InvalidInput', `archive ${archive} refused: ${why}`, remedy);

/**
 * Opens a zip defensively. The central directory is checked before anything is unpacked: no
 * absolute paths, no `..`, no symlinks, at most `maxEntries` entries, and declared expansion within
 * `maxExpansionRatio`. Reading then counts real bytes, because headers can lie.
 */
export async function openZipDataset(path: string, limits: DatasetLimits): Promise<Dataset> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile())
    throw new AerialError('Aerial.InvalidInput', `${path} is not a file`, 'give the path of a .zip archive');
  let zip: ZipFile;
  try {
    zip = await promisify<string, yauzl.Options, ZipFile>(yauzl.open)(path, {
      lazyEntries: true,
      decodeStrings: false,
      autoClose: false,
      validateEntrySizes: true,
    });
  } catch (e) {
    throw refuse(
      path,
      `not a readable zip archive (${(e as Error).message})`,
      'check that the upload finished and the file is a .zip',
    );
  }

  const close = async () => zip.close();
  try {
    if (zip.entryCount > limits.maxEntries) {
      throw refuse(
        path,
        `${zip.entryCount} entries, more than the ${limits.maxEntries} allowed`,
        'split the dataset into smaller archives',
      );
    }
    const raw = await centralDirectory(zip);
    let declaredTotal = 0;
    const entries: DatasetEntry[] = [];
    for (const entry of raw) {
      const nameBytes = entry.fileName as unknown as Buffer;
      const decoded = decodeName(nameBytes);
      const display = decoded ?? nameBytes.toString('latin1');
      const normalized = display.replace(/\\/g, '/');
      if (normalized.startsWith('/') || /^[a-zA-Z]:/.test(normalized))
        throw refuse(path, `entry "${display}" has an absolute path`);
      if (normalized.split('/').includes('..'))
        throw refuse(path, `entry "${display}" climbs out of the archive with ".."`);
      const mode = (entry.externalFileAttributes >>> 16) & S_IFMT;
      if (mode === S_IFLNK) throw refuse(path, `entry "${display}" is a symbolic link`);
      if (normalized.endsWith('/')) continue;
      if (entry.uncompressedSize > limits.maxFileBytes)
        throw refuse(path, `entry "${display}" unpacks to ${entry.uncompressedSize} bytes`);
      const ratio = entry.uncompressedSize / Math.max(entry.compressedSize, 1);
      if (ratio > limits.maxExpansionRatio) {
        throw refuse(
          path,
          `entry "${display}" expands ${ratio.toFixed(0)}× (limit ${limits.maxExpansionRatio}×), a likely zip bomb`,
        );
      }
      declaredTotal += entry.uncompressedSize;
      if (declaredTotal > limits.maxTotalBytes)
        throw refuse(path, `unpacks to more than ${limits.maxTotalBytes} bytes`, 'split the dataset into smaller jobs');
      const hidden = normalized.split('/').some((part) => part.startsWith('.') || part === '__MACOSX');
      if (hidden) continue;
      const isUtf8Flagged = (entry.generalPurposeBitFlag & 0x800) !== 0;
      const asciiOnly = nameBytes.every((b) => b < 0x80);
      entries.push({
        name: decoded !== undefined && (isUtf8Flagged || asciiOnly) ? normalized : undefined,
        displayName: normalized,
        bytes: entry.uncompressedSize,
        read: () => readEntry(zip, entry, normalized, limits),
      });
    }
    if (info.size > 0 && declaredTotal / info.size > limits.maxExpansionRatio) {
      throw refuse(
        path,
        `expands ${(declaredTotal / info.size).toFixed(0)}× overall (limit ${limits.maxExpansionRatio}×), a likely zip bomb`,
      );
    }
    return { entries, close };
  } catch (e) {
    await close();
    if (e instanceof AerialError) throw e;
    throw refuse(path, (e as Error).message);
  }
}

async function readEntry(zip: ZipFile, entry: Entry, name: string, limits: DatasetLimits): Promise<Buffer> {
  if (entry.uncompressedSize > limits.maxFileBytes) throw tooBig(name, entry.uncompressedSize, limits);
  const stream = await promisify<Entry, NodeJS.ReadableStream>(zip.openReadStream.bind(zip))(entry);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    total += chunk.length;
    // validateEntrySizes stops a lying header at the declared size; this is the hard stop.
    if (total > entry.uncompressedSize || total > limits.maxFileBytes) {
      (stream as unknown as { destroy(): void }).destroy();
      throw new AerialError(
        'Aerial.InvalidInput',
        `archive entry ${name} unpacks to more than it declares`,
        'repack the archive',
      );
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function centralDirectory(zip: ZipFile): Promise<Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: Entry[] = [];
    zip.on('entry', (entry: Entry) => {
      entries.push(entry);
      zip.readEntry();
    });
    zip.once('end', () => resolve(entries));
    zip.once('error', reject);
    zip.readEntry();
  });
}
