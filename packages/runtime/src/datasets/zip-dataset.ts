import { AerialError } from '@aerial/contracts';
import { stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { type DatasetLimits } from './dataset-limits';
import { type Dataset, type DatasetEntry, decodeName, tooBig } from './dataset-source';
import { entryPathProblem } from './zip-entry-path';

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

const refuse = (archive: string, why: string, remedy = 'repack the archive with plain relative file names') =>
  new AerialError('Aerial.InvalidInput', `archive ${archive} refused: ${why}`, remedy);

/** How an archive is named: in refusals, and as the folder its entries appear under. */
export interface ArchiveNaming {
  /** The archive as the user knows it, for messages: its path, or its name inside the dataset. */
  readonly label: string;
  /** Prefix of entry names (e.g. `flight.zip/`); undefined when the archive's own name is unusable. */
  readonly namePrefix: string | undefined;
  /** Prefix of entry display names. */
  readonly displayPrefix: string;
}

/**
 * Opens a zip defensively. The central directory is checked before anything is unpacked: no
 * absolute paths, no `..`, no symlinks, no archives inside, at most `maxEntries` entries, and
 * declared expansion within `maxExpansionRatio`. Reading then counts real bytes, because headers
 * can lie.
 */
export async function openZipDataset(
  path: string,
  limits: DatasetLimits,
  naming: ArchiveNaming = { label: path, namePrefix: '', displayPrefix: '' },
): Promise<Dataset> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile())
    throw new AerialError('Aerial.InvalidInput', `${path} is not a file`, 'give the path of a .zip archive');
  const archive = naming.label;
  let zip: ZipFile;
  try {
    zip = await promisify<string, yauzl.Options, ZipFile>(yauzl.open)(path, {
      lazyEntries: true,
      decodeStrings: false,
      autoClose: false,
      validateEntrySizes: true,
    });
  } catch (e) {
    throw unreadable(archive, e);
  }

  const close = async () => zip.close();
  try {
    if (zip.entryCount > limits.maxEntries) {
      throw refuse(
        archive,
        `${zip.entryCount} entries, more than the ${limits.maxEntries} allowed`,
        'split the dataset into smaller archives',
      );
    }
    // A directory that cannot be walked (cut short, pointing past the end, inconsistent sizes) is
    // the same fault as an unreadable end record: the file is not a zip we can trust.
    const raw = await centralDirectory(zip).catch((e: unknown) => {
      throw unreadable(archive, e);
    });
    let declaredTotal = 0;
    const entries: DatasetEntry[] = [];
    // One entry read at a time: yauzl shares one file reader between streams, and a stream torn
    // down mid-read (an entry that inflates past its declared size) left concurrent reads waiting
    // forever — Ingest hung on such an archive (issue 18's bad-input corpus).
    let reading: Promise<unknown> = Promise.resolve();
    const serially = <T>(read: () => Promise<T>): Promise<T> => {
      const result = reading.then(read, read);
      reading = result.catch(() => undefined);
      return result;
    };
    for (const entry of raw) {
      const nameBytes = entry.fileName as unknown as Buffer;
      const decoded = decodeName(nameBytes);
      const display = decoded ?? nameBytes.toString('latin1');
      const normalized = display.replace(/\\/g, '/');
      const problem = entryPathProblem(display);
      if (problem) throw refuse(archive, `entry "${display}" ${problem}`);
      // yauzl cannot decrypt: without this the read fails per entry with a message about options.
      if (entry.generalPurposeBitFlag & 1)
        throw refuse(
          archive,
          `entry "${display}" is encrypted (password-protected)`,
          'repack the archive without a password',
        );
      const mode = (entry.externalFileAttributes >>> 16) & S_IFMT;
      if (mode === S_IFLNK) throw refuse(archive, `entry "${display}" is a symbolic link`);
      if (normalized.endsWith('/')) continue;
      if (entry.uncompressedSize > limits.maxFileBytes)
        throw refuse(archive, `entry "${display}" unpacks to ${entry.uncompressedSize} bytes`);
      const ratio = entry.uncompressedSize / Math.max(entry.compressedSize, 1);
      if (ratio > limits.maxExpansionRatio) {
        throw refuse(
          archive,
          `entry "${display}" expands ${ratio.toFixed(0)}× (limit ${limits.maxExpansionRatio}×), a likely zip bomb`,
        );
      }
      declaredTotal += entry.uncompressedSize;
      if (declaredTotal > limits.maxTotalBytes)
        throw refuse(
          archive,
          `unpacks to more than ${limits.maxTotalBytes} bytes`,
          'split the dataset into smaller jobs',
        );
      const hidden = normalized.split('/').some((part) => part.startsWith('.') || part === '__MACOSX');
      if (hidden) continue;
      // One level only: an archive inside would need its own bounds on entries and expansion, and
      // unpacking it would multiply a zip bomb's ratio; the user can flatten it in one step.
      if (isArchiveName(normalized)) {
        throw refuse(
          archive,
          `entry "${display}" is itself a zip archive, which is not unpacked`,
          'unpack the inner archive and put its photos in the outer one',
        );
      }
      const isUtf8Flagged = (entry.generalPurposeBitFlag & 0x800) !== 0;
      const asciiOnly = nameBytes.every((b) => b < 0x80);
      entries.push({
        name:
          decoded !== undefined && (isUtf8Flagged || asciiOnly) && naming.namePrefix !== undefined
            ? `${naming.namePrefix}${normalized}`
            : undefined,
        displayName: `${naming.displayPrefix}${normalized}`,
        bytes: entry.uncompressedSize,
        read: () => serially(() => readEntry(zip, entry, `${naming.displayPrefix}${normalized}`, limits)),
      });
    }
    if (info.size > 0 && declaredTotal / info.size > limits.maxExpansionRatio) {
      throw refuse(
        archive,
        `expands ${(declaredTotal / info.size).toFixed(0)}× overall (limit ${limits.maxExpansionRatio}×), a likely zip bomb`,
      );
    }
    return { entries, close };
  } catch (e) {
    await close();
    if (e instanceof AerialError) throw e;
    throw refuse(archive, (e as Error).message);
  }
}

function unreadable(archive: string, e: unknown): AerialError {
  return refuse(
    archive,
    `not a readable zip archive (${(e as Error).message})`,
    'check that the upload finished and the file is a .zip',
  );
}

/** A zip by its name: what Ingest unpacks in a folder or prefix, and refuses inside an archive. */
export function isArchiveName(name: string): boolean {
  return /\.zip$/i.test(name);
}

async function readEntry(zip: ZipFile, entry: Entry, name: string, limits: DatasetLimits): Promise<Buffer> {
  if (entry.uncompressedSize > limits.maxFileBytes) throw tooBig(name, entry.uncompressedSize, limits);
  const lying = () =>
    new AerialError(
      'Aerial.InvalidInput',
      `archive entry ${name} unpacks to more than it declares`,
      'repack the archive',
    );
  const stream = await promisify<Entry, NodeJS.ReadableStream>(zip.openReadStream.bind(zip))(entry);
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      total += chunk.length;
      // validateEntrySizes stops a lying header at the declared size; this is the hard stop.
      if (total > entry.uncompressedSize || total > limits.maxFileBytes) {
        (stream as unknown as { destroy(): void }).destroy();
        throw lying();
      }
      chunks.push(chunk);
    }
  } catch (e) {
    if (e instanceof AerialError) throw e;
    // yauzl's words for the same lie, and zlib's for damaged data, named by the entry.
    if (/too many bytes/.test((e as Error).message)) throw lying();
    throw new AerialError(
      'Aerial.InvalidInput',
      `archive entry ${name} cannot be unpacked (${(e as Error).message})`,
      'repack the archive',
    );
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
