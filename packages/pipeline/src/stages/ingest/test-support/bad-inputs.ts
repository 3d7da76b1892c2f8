import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { goodPhotos, zipOf } from '../../../testing/bad-input-kit';

/** A folder with the good photos plus the given extra files. */
export function folderWith(dir: string, good: Buffer[], extra: Record<string, Buffer>): string {
  mkdirSync(dir, { recursive: true });
  good.forEach((b, i) => writeFileSync(join(dir, `GOOD_${i}.JPG`), b));
  for (const [name, bytes] of Object.entries(extra)) writeFileSync(join(dir, name), bytes);
  return dir;
}

export function addSymlink(dir: string, name: string, target: string): void {
  symlinkSync(target, join(dir, name));
}

const xmp = (pitch: number) =>
  '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
  `<rdf:Description rdf:about="" xmlns:drone-dji="http://www.dji.com/drone-dji/1.0/" drone-dji:RelativeAltitude="+60.00" drone-dji:GimbalPitchDegree="${pitch}" drone-dji:GimbalYawDegree="+0.0"/>` +
  '</rdf:RDF></x:xmpmeta>';

/** Variants of a good photo, each broken in one way. */
export const broken = {
  truncated: (good: Buffer) => good.subarray(0, Math.floor(good.length * 0.6)),
  corrupt: (good: Buffer) => {
    const copy = Buffer.from(good);
    // Keep the headers, scramble the entropy-coded data in the middle.
    for (let i = Math.floor(copy.length * 0.3); i < Math.floor(copy.length * 0.7); i += 7)
      copy[i] = (copy[i]! * 31 + 17) & 0xff;
    return copy;
  },
  text: () => Buffer.from('Flight log\nbattery 87%\nthis is not a photo\n'.repeat(20)),
  binary: () => Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) & 0xff)),
  png: async (good: Buffer) => sharp(good).png().toBuffer(),
  noExif: async (good: Buffer) => sharp(good).jpeg().toBuffer(),
  noGps: async (good: Buffer) =>
    sharp(good)
      .withExif({ IFD0: { Make: 'Aerial', Model: 'SimCam 1' }, IFD2: { FocalLength: '45/10' } })
      .jpeg()
      .toBuffer(),
  black: async (good: Buffer) => sharp(good).linear(0, 0).keepExif().jpeg().toBuffer(),
  white: async (good: Buffer) => sharp(good).linear(0, 255).keepExif().jpeg().toBuffer(),
  blurred: async (good: Buffer) => sharp(good).blur(6).keepExif().jpeg().toBuffer(),
  obliqueGimbal: async (good: Buffer) => sharp(good).keepExif().withXmp(xmp(-45)).jpeg().toBuffer(),
  farAway: async (good: Buffer) =>
    sharp(good)
      .withExif({
        IFD0: { Make: 'Aerial', Model: 'SimCam 1' },
        IFD2: { FocalLength: '45/10' },
        IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '52/1 41/1 0/1', GPSLongitudeRef: 'E', GPSLongitude: '0/1 5/1 0/1' },
      })
      .withXmp(xmp(-90))
      .jpeg()
      .toBuffer(),
  /** A JPEG whose frame header claims 60000 × 60000 pixels. */
  hugeDimensions: (good: Buffer) => {
    const copy = Buffer.from(good);
    for (let i = 2; i < copy.length - 9; i++) {
      if (copy[i] === 0xff && (copy[i + 1] === 0xc0 || copy[i + 1] === 0xc2)) {
        copy.writeUInt16BE(60000, i + 5);
        copy.writeUInt16BE(60000, i + 7);
        return copy;
      }
    }
    throw new Error('no SOF marker');
  },
};

export { goodPhotos, zipOf };
