import { mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import sharp from 'sharp';

/**
 * `node lib/make-pictures.js <preview.png>`: the home page's mosaic picture from a job's
 * `preview.png` (the published orthomosaic's preview, transparent outside the photos), made with
 *
 *   pnpm aerial process ../shared/datasets/brighton-beach/images
 *
 * Trimmed to the photos, flattened on white, at most 960 px and kept under 200 KB in the repository.
 */
const MAX_BYTES = 200 * 1024;
const TARGET = join(__dirname, '..', 'content', 'public', 'images', 'brighton-beach-mosaic.jpg');

export async function makeMosaicPicture(preview: string, target = TARGET): Promise<number> {
  mkdirSync(dirname(target), { recursive: true });
  const trimmed = await sharp(preview).trim().toBuffer();
  // Lower the quality until it fits: the picture must stay small in the repository.
  for (const quality of [82, 76, 70, 64, 58]) {
    await sharp(trimmed)
      .resize({ width: 960, height: 960, fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality, mozjpeg: true })
      .toFile(target);
    const bytes = statSync(target).size;
    if (bytes <= MAX_BYTES) return bytes;
  }
  throw new Error(`${target} stays over ${MAX_BYTES} bytes at the lowest quality tried: make it smaller`);
}

if (require.main === module) {
  const preview = process.argv[2];
  if (!preview) {
    console.error('usage: node lib/make-pictures.js <job>/preview.png');
    process.exit(2);
  }
  makeMosaicPicture(preview)
    .then((bytes) => process.stdout.write(`wrote ${TARGET} (${Math.round(bytes / 1024)} KB)\n`))
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    });
}
