import sharp from 'sharp';

export { goodPhotos } from '@aerial/pipeline/testing';

/**
 * A good photo with some EXIF tags replaced, everything else (pixels, other tags, DJI XMP) kept:
 * only the named tags are wrong. Tags are written as tools/sample-data's writePhoto writes them.
 */
const withTags = (good: Buffer, tags: { gps?: Record<string, string>; exif?: Record<string, string> }) =>
  sharp(good)
    .keepMetadata()
    .withExifMerge({ IFD2: tags.exif ?? {}, IFD3: tags.gps ?? {} })
    .jpeg()
    .toBuffer();

/** The offset of the first JPEG frame header (SOF0/SOF2), where the declared size lives. */
function frameHeader(jpeg: Buffer): number {
  for (let i = 2; i < jpeg.length - 9; i++)
    if (jpeg[i] === 0xff && (jpeg[i + 1] === 0xc0 || jpeg[i + 1] === 0xc2)) return i;
  throw new Error('no SOF marker');
}

/** A JPEG whose frame header declares `width` × `height` (the data stays that of `good`). */
export function declaredSize(good: Buffer, width: number, height: number): Buffer {
  const copy = Buffer.from(good);
  const at = frameHeader(copy);
  copy.writeUInt16BE(height, at + 5);
  copy.writeUInt16BE(width, at + 7);
  return copy;
}

/** A minimal little-endian TIFF header with one IFD declaring `width` × `height`, 8-bit RGB. */
export function tiffHeader(width: number, height: number): Buffer {
  const tags: [number, number, number][] = [
    [256, 4, width], // ImageWidth, LONG
    [257, 4, height], // ImageLength, LONG
    [258, 3, 8], // BitsPerSample
    [259, 3, 1], // Compression: none
    [262, 3, 2], // Photometric: RGB
    [273, 4, 8 + 2 + 12 * 9 + 4], // StripOffsets: right after the IFD
    [277, 3, 3], // SamplesPerPixel
    [278, 4, height], // RowsPerStrip
    [279, 4, 16], // StripByteCounts: far fewer than declared
  ];
  const ifd = Buffer.alloc(2 + tags.length * 12 + 4);
  ifd.writeUInt16LE(tags.length, 0);
  tags.forEach(([tag, type, value], i) => {
    ifd.writeUInt16LE(tag, 2 + i * 12);
    ifd.writeUInt16LE(type, 4 + i * 12);
    ifd.writeUInt32LE(1, 6 + i * 12);
    if (type === 3) ifd.writeUInt16LE(value, 10 + i * 12);
    else ifd.writeUInt32LE(value, 10 + i * 12);
  });
  return Buffer.concat([Buffer.from('II*\0\x08\0\0\0', 'latin1'), ifd, Buffer.alloc(16)]);
}

/** A PNG signature and IHDR chunk declaring `width` × `height` (no image data). */
export function pngHeader(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(13);
  return Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), length, Buffer.from('IHDR'), ihdr, Buffer.alloc(4)]);
}

/** The first bytes of an HEIC file (an ISO-BMFF `ftyp` box with the heic brand), as phones write. */
export function heicHeader(): Buffer {
  const box = Buffer.concat([Buffer.from('\0\0\0\x18ftypheic\0\0\0\0mif1heic', 'latin1'), Buffer.alloc(64)]);
  return box;
}

/** The EXIF (APP1) segment's payload scrambled in place: the segment is there, its IFDs are garbage. */
export function scrambledExif(jpeg: Buffer): Buffer {
  const copy = Buffer.from(jpeg);
  const at = copy.indexOf(Buffer.from('Exif\0\0', 'latin1'));
  if (at < 0) throw new Error('no EXIF segment');
  const length = copy.readUInt16BE(at - 2);
  // Keep "Exif\0\0" and the byte order; point the first IFD far outside the segment.
  for (let i = at + 10; i < at + length - 2; i++) copy[i] = 0xee;
  return copy;
}

/** Variants of a good photo, each wrong in one way a user's card or tool can make it. */
export const photo = {
  truncated: (good: Buffer) => good.subarray(0, Math.floor(good.length * 0.6)),
  headerOnly: (good: Buffer) => good.subarray(0, 300),
  markersOnly: () => Buffer.from('ffd8ffd9', 'hex'),
  text: () => Buffer.from('Flight log\nbattery 87%\nthis is not a photo\n'.repeat(20)),
  html: () => Buffer.from('<!DOCTYPE html><html><body>403 Forbidden</body></html>\n'.repeat(10)),
  png: (good: Buffer) => sharp(good).png().toBuffer(),
  png16: (good: Buffer) => sharp(good).toColourspace('rgb16').png().toBuffer(),
  gif: (good: Buffer) => sharp(good).gif().toBuffer(),
  webp: (good: Buffer) => sharp(good).webp().toBuffer(),
  avif: (good: Buffer) => sharp(good).resize(64).avif().toBuffer(),
  heic: heicHeader,
  tiff: (good: Buffer) => sharp(good).keepExif().tiff().toBuffer(),
  tiff16: (good: Buffer) => sharp(good).keepExif().toColourspace('rgb16').tiff().toBuffer(),
  cmyk: (good: Buffer) => sharp(good).keepExif().toColourspace('cmyk').jpeg().toBuffer(),
  grey: (good: Buffer) => sharp(good).keepExif().greyscale().jpeg().toBuffer(),
  progressive: (good: Buffer) => sharp(good).keepExif().jpeg({ progressive: true }).toBuffer(),
  onePixel: (good: Buffer) => sharp(good).resize(1, 1).keepExif().jpeg().toBuffer(),
  jpeg65000: (good: Buffer) => declaredSize(good, 65000, 65000),
  jpegZeroSize: (good: Buffer) => declaredSize(good, 0, 0),
  png65000: () => pngHeader(65000, 65000),
  tiff65000: () => tiffHeader(65000, 65000),
  noExif: (good: Buffer) => sharp(good).jpeg().toBuffer(),
  corruptExif: scrambledExif,
  gpsNullIsland: (good: Buffer) =>
    withTags(good, {
      gps: { GPSLatitudeRef: 'N', GPSLatitude: '0/1 0/1 0/1', GPSLongitudeRef: 'E', GPSLongitude: '0/1 0/1 0/1' },
    }),
  gpsLatitude95: (good: Buffer) => withTags(good, { gps: { GPSLatitude: '95/1 0/1 0/1' } }),
  gpsLongitude200: (good: Buffer) => withTags(good, { gps: { GPSLongitude: '200/1 0/1 0/1' } }),
  gpsMinutes75: (good: Buffer) => withTags(good, { gps: { GPSLatitude: '50/1 75/1 0/1' } }),
  gpsZeroDenominator: (good: Buffer) => withTags(good, { gps: { GPSLatitude: '50/0 49/1 0/1' } }),
  futureTime: (good: Buffer) => withTags(good, { exif: { DateTimeOriginal: '2099:01:01 12:00:00' } }),
  zeroTime: (good: Buffer) => withTags(good, { exif: { DateTimeOriginal: '0000:00:00 00:00:00' } }),
};
