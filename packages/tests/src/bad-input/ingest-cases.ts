import { type AerialErrorName, type QaReasonCode } from '@aerial/contracts';
import {
  centralDirectoryOutOfBounds,
  corruptCentralDirectory,
  declareEntryCount,
  declareSize,
  markEncrypted,
  withoutEnd,
  zipOf,
  type ZipEntrySpec,
} from './archives';
import { photo } from './photos';

/** What a builder has to work with: the good photos of a generated survey. */
export interface CorpusContext {
  readonly good: readonly Buffer[];
}

/** How Ingest must judge one bad file put beside the good ones. */
export type FileVerdict =
  | { readonly rejected: QaReasonCode; readonly message: RegExp }
  | { readonly accepted: true; readonly warning?: RegExp };

/** One bad file, ingested in a folder with the good photos: a verdict for it, the job goes on. */
export interface IngestFileCase {
  readonly target: 'ingest-file';
  readonly id: string;
  readonly name: string;
  build(ctx: CorpusContext): Buffer | Promise<Buffer>;
  readonly expect: FileVerdict;
  /** Decoded and measured like the photo it was made from (same exposure, whatever the bit depth). */
  readonly measuredLike?: 'GOOD_0.JPG';
}

/** A bad archive (or dataset): how it reaches Ingest, and what must come of it. */
export interface IngestArchiveCase {
  readonly target: 'ingest-archive';
  readonly id: string;
  /** `zip`: the CLI's path (a .zip given as the source); `prefix`: dropped on the Hub page. */
  readonly via: 'zip' | 'prefix';
  build(ctx: CorpusContext): Promise<Buffer>;
  readonly expect:
    | { readonly refused: AerialErrorName; readonly message: RegExp }
    | { readonly rejected: QaReasonCode; readonly entry: RegExp; readonly message: RegExp };
}

const goodEntries = (ctx: CorpusContext, folder = 'photos'): ZipEntrySpec[] =>
  ctx.good.map((data, i) => ({ name: `${folder}/GOOD_${i}.JPG`, data }));

const file = (
  id: string,
  name: string,
  build: IngestFileCase['build'],
  expect: FileVerdict,
  measuredLike?: 'GOOD_0.JPG',
): IngestFileCase => ({ target: 'ingest-file', id, name, build, expect, ...(measuredLike ? { measuredLike } : {}) });

const first = (ctx: CorpusContext) => ctx.good[0]!;

/** Images: every way a photo can be wrong, each judged with its own reason. */
export const imageCases: readonly IngestFileCase[] = [
  file('truncated-jpeg', 'cut.jpg', (c) => photo.truncated(first(c)), {
    rejected: 'truncated',
    message: /cut short/,
  }),
  file('jpeg-header-only', 'head.jpg', (c) => photo.headerOnly(first(c)), {
    rejected: 'corrupt',
    message: /unreadable JPEG header|cannot be decoded/,
  }),
  file('jpeg-markers-only', 'markers.jpg', () => photo.markersOnly(), {
    rejected: 'corrupt',
    message: /unreadable JPEG header/,
  }),
  file('text-named-jpg', 'notes.jpg', () => photo.text(), { rejected: 'not-an-image', message: /content is text/ }),
  file('html-named-jpg', 'error-page.JPG', () => photo.html(), {
    rejected: 'not-an-image',
    message: /content is text/,
  }),
  file('png-named-jpg', 'shot.jpg', (c) => photo.png(first(c)), {
    rejected: 'not-an-image',
    message: /PNG image; drone photos must be JPEG or TIFF/,
  }),
  file('png-16-bit', 'deep.png', (c) => photo.png16(first(c)), {
    rejected: 'not-an-image',
    message: /PNG image/,
  }),
  file('gif', 'anim.gif', (c) => photo.gif(first(c)), { rejected: 'not-an-image', message: /GIF image/ }),
  file('webp', 'web.webp', (c) => photo.webp(first(c)), { rejected: 'not-an-image', message: /WebP image/ }),
  file('heic', 'IMG_0001.HEIC', () => photo.heic(), { rejected: 'not-an-image', message: /HEIF\/AVIF image/ }),
  file('avif-named-jpg', 'phone.jpg', (c) => photo.avif(first(c)), {
    rejected: 'not-an-image',
    message: /HEIF\/AVIF image/,
  }),
  // libvips writes no EXIF GPS block into a TIFF: the TIFF is decoded and measured, then
  // rejected for what it lacks (the tests check that its metrics match the JPEG's).
  file(
    'tiff-8-bit',
    'frame.tif',
    (c) => photo.tiff(first(c)),
    { rejected: 'no-gps', message: /no GPS position/ },
    'GOOD_0.JPG',
  ),
  file(
    'tiff-16-bit',
    'deep.tif',
    (c) => photo.tiff16(first(c)),
    { rejected: 'no-gps', message: /no GPS position/ },
    'GOOD_0.JPG',
  ),
  file('cmyk-jpeg', 'print.jpg', (c) => photo.cmyk(first(c)), { accepted: true }, 'GOOD_0.JPG'),
  file('greyscale-jpeg', 'grey.jpg', (c) => photo.grey(first(c)), { accepted: true }),
  file('progressive-jpeg', 'prog.jpg', (c) => photo.progressive(first(c)), { accepted: true }),
  file('one-pixel', 'dot.jpg', (c) => photo.onePixel(first(c)), {
    rejected: 'too-small',
    message: /only 1×1 pixels, too small to map/,
  }),
  file('jpeg-65000-squared', 'bomb.jpg', (c) => photo.jpeg65000(first(c)), {
    rejected: 'too-large',
    message: /65000×65000 pixels, above the 250 MP limit/,
  }),
  file('jpeg-zero-size', 'zero.jpg', (c) => photo.jpegZeroSize(first(c)), {
    rejected: 'corrupt',
    message: /declares no size|unreadable JPEG header/,
  }),
  file('png-65000-squared', 'bomb.png', () => photo.png65000(), { rejected: 'not-an-image', message: /PNG image/ }),
  file('tiff-65000-squared', 'bomb.tif', () => photo.tiff65000(), {
    rejected: 'too-large',
    message: /65000×65000 pixels/,
  }),
  file('no-exif', 'stripped.jpg', (c) => photo.noExif(first(c)), {
    rejected: 'no-exif',
    message: /no EXIF metadata/,
  }),
  file('corrupt-exif', 'garbled.jpg', (c) => photo.corruptExif(first(c)), {
    rejected: 'no-exif',
    message: /EXIF/,
  }),
  file('gps-null-island', 'nofix.jpg', (c) => photo.gpsNullIsland(first(c)), {
    rejected: 'no-gps',
    message: /0°, 0°, which a receiver records when it has no fix/,
  }),
  file('gps-latitude-95', 'lat95.jpg', (c) => photo.gpsLatitude95(first(c)), {
    rejected: 'no-gps',
    message: /GPS latitude 95° is out of range/,
  }),
  file('gps-longitude-200', 'lon200.jpg', (c) => photo.gpsLongitude200(first(c)), {
    rejected: 'no-gps',
    message: /GPS longitude 200° is out of range/,
  }),
  file('gps-minutes-75', 'min75.jpg', (c) => photo.gpsMinutes75(first(c)), {
    rejected: 'outlier-position',
    message: /km from the rest/,
  }),
  file('gps-zero-denominator', 'div0.jpg', (c) => photo.gpsZeroDenominator(first(c)), {
    rejected: 'no-gps',
    message: /GPS position in its EXIF is not a number/,
  }),
  file('capture-time-in-future', 'future.jpg', (c) => photo.futureTime(first(c)), {
    accepted: true,
    warning: /capture time 2099-01-01T12:00:00 is in the future \(camera clock wrong\?\); the time is ignored/,
  }),
  file('capture-time-zero', 'zerotime.jpg', (c) => photo.zeroTime(first(c)), {
    accepted: true,
    warning: /capture time "0000:00:00 00:00:00" is not a date; the time is ignored/,
  }),
  file('empty-file', 'empty.jpg', () => Buffer.alloc(0), { rejected: 'empty-file', message: /empty \(0 bytes\)/ }),
  file('duplicate', 'copy.jpg', (c) => first(c), { rejected: 'duplicate', message: /same content as GOOD_0.JPG/ }),
];

const archive = (
  id: string,
  via: IngestArchiveCase['via'],
  build: IngestArchiveCase['build'],
  expect: IngestArchiveCase['expect'],
): IngestArchiveCase => ({ target: 'ingest-archive', id, via, build, expect });

const refused = (message: RegExp) => ({ refused: 'Aerial.InvalidInput' as const, message });

/** Archives: the zip defences, on both paths into Ingest. */
export const archiveCases: readonly IngestArchiveCase[] = [
  archive(
    'zip-slip',
    'zip',
    (c) => zipOf([...goodEntries(c), { name: 'xx/evil.jpg', data: first(c) }], [['xx/evil.jpg', '../evil.jpg']]),
    refused(/entry "\.\.\/evil\.jpg" climbs out of the archive/),
  ),
  archive(
    'zip-slip-deep',
    'prefix',
    (c) =>
      zipOf(
        [...goodEntries(c), { name: 'photos/xx/xx/xx/etc/cron.d/x', data: first(c) }],
        [['photos/xx/xx/xx/etc/cron.d/x', 'photos/../../../etc/cron.d/x']],
      ),
    refused(/^archive flight\.zip refused: entry "photos\/\.\.\/\.\.\/\.\.\/etc\/cron\.d\/x" climbs out/),
  ),
  archive(
    'zip-slip-backslash',
    'zip',
    (c) => zipOf([...goodEntries(c), { name: 'xxxevil.jpg', data: first(c) }], [['xxxevil.jpg', '..\\evil.jpg']]),
    refused(/climbs out of the archive/),
  ),
  archive(
    'absolute-path',
    'zip',
    (c) => zipOf([...goodEntries(c), { name: 'aetc/passwd', data: first(c) }], [['aetc/passwd', '/etc/passwd']]),
    refused(/entry "\/etc\/passwd" has an absolute path/),
  ),
  archive(
    'windows-drive-path',
    'prefix',
    (c) =>
      zipOf([...goodEntries(c), { name: 'xxWindows/a.jpg', data: first(c) }], [['xxWindows/a.jpg', 'C:Windows/a.jpg']]),
    refused(/entry "C:Windows\/a\.jpg" has an absolute path/),
  ),
  archive(
    'symlink-entry',
    'zip',
    (c) => zipOf([...goodEntries(c), { name: 'link.jpg', data: Buffer.from('/etc/passwd'), mode: 0o120777 }]),
    refused(/entry "link\.jpg" is a symbolic link/),
  ),
  archive(
    'zip-bomb-entry',
    'zip',
    (c) => zipOf([...goodEntries(c), { name: 'bomb.jpg', data: Buffer.alloc(8 * 1024 * 1024), compress: true }]),
    refused(/entry "bomb\.jpg" expands \d+× \(limit 100×\), a likely zip bomb/),
  ),
  archive(
    'zip-bomb-via-upload',
    'prefix',
    (c) => zipOf([...goodEntries(c), { name: 'bomb.jpg', data: Buffer.alloc(8 * 1024 * 1024), compress: true }]),
    refused(/^archive flight\.zip refused: .*a likely zip bomb/),
  ),
  archive(
    'ten-thousand-entries',
    'zip',
    () => zipOf(Array.from({ length: 10_000 }, (_, i) => ({ name: `f${i}.jpg`, data: Buffer.from([i & 255]) }))),
    refused(/10000 entries, more than the 2000 allowed/),
  ),
  archive(
    'ten-thousand-entries-via-upload',
    'prefix',
    () => zipOf(Array.from({ length: 10_000 }, (_, i) => ({ name: `f${i}.jpg`, data: Buffer.from([i & 255]) }))),
    refused(/10000 entries, more than the 2000 allowed/),
  ),
  archive(
    'nested-zip',
    'zip',
    async (c) => zipOf([...goodEntries(c), { name: 'more/inner.zip', data: await zipOf(goodEntries(c)) }]),
    refused(/entry "more\/inner\.zip" is itself a zip archive/),
  ),
  archive(
    'encrypted-entries',
    'zip',
    // Deflated, as password tools write them (a stored one fails yauzl's size check first).
    async (c) => markEncrypted(await zipOf(goodEntries(c).map((e) => ({ ...e, compress: true })))),
    refused(/entry "photos\/GOOD_0\.JPG" is encrypted \(password-protected\)/),
  ),
  archive(
    'encrypted-stored-entries',
    'prefix',
    async (c) => markEncrypted(await zipOf(goodEntries(c))),
    refused(/^archive flight\.zip refused: not a readable zip archive \(compressed\/uncompressed size mismatch/),
  ),
  archive(
    'truncated-central-directory',
    'zip',
    async (c) => withoutEnd(await zipOf(goodEntries(c))),
    refused(/not a readable zip archive/),
  ),
  archive(
    'corrupt-central-directory',
    'prefix',
    async (c) => corruptCentralDirectory(await zipOf(goodEntries(c))),
    refused(/^archive flight\.zip refused: .*central directory/i),
  ),
  archive(
    'central-directory-out-of-bounds',
    'zip',
    async (c) => centralDirectoryOutOfBounds(await zipOf(goodEntries(c))),
    refused(/not a readable zip archive \(unexpected EOF\)/),
  ),
  archive(
    'entry-count-lies',
    'zip',
    async (c) => declareEntryCount(await zipOf(goodEntries(c)), 40),
    refused(/not a readable zip archive/),
  ),
  archive(
    'entry-sizes-lie-low',
    'zip',
    async (c) => declareSize(await zipOf(goodEntries(c)), 1000),
    refused(/not a readable zip archive \(compressed\/uncompressed size mismatch for stored file: \d+ != 1000\)/),
  ),
  archive(
    'deflated-sizes-lie-low',
    'zip',
    // Before the fix, Ingest hung here for good (concurrent reads after a torn-down stream).
    async (c) =>
      declareSize(
        await zipOf([...goodEntries(c), { name: 'photos/liar.jpg', data: c.good[1]!, compress: true }]),
        1000,
        'deflated',
      ),
    {
      rejected: 'corrupt',
      entry: /liar/,
      message: /^archive entry photos\/liar\.jpg unpacks to more than it declares/,
    },
  ),
  archive(
    'deflated-sizes-lie-low-all',
    'prefix',
    async (c) => declareSize(await zipOf(goodEntries(c).map((e) => ({ ...e, compress: true }))), 1000),
    {
      refused: 'Aerial.QualityRejected',
      message: /only 0 of 4 files passed quality checks, fewer than the 3 needed \(4 corrupt\)/,
    },
  ),
  archive(
    'not-a-zip',
    'prefix',
    async () => Buffer.from('PK? no, just text\n'.repeat(10)),
    refused(/^archive flight\.zip refused: not a readable zip archive/),
  ),
  archive('empty-zip', 'zip', () => zipOf([]), refused(/contains no files/)),
];
