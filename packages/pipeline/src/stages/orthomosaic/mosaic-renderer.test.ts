import { type MosaicImage, renderMosaic, type RgbImage } from './mosaic-renderer';

/** Six overlapping, turned and scaled images over a 700 × 520 mosaic, each with its own pattern. */
const images: MosaicImage[] = [0, 1, 2, 3, 4, 5].map((k) => {
  const angle = (k * 37 - 60) * (Math.PI / 180);
  const scale = 0.9 + k * 0.04;
  return {
    width: 320,
    height: 220,
    placement: {
      a: scale * Math.cos(angle),
      b: scale * Math.sin(angle),
      tx: 150 + (k % 3) * 190,
      ty: 150 + Math.floor(k / 3) * 210,
    },
    gain: 1 + k * 0.05,
  };
});
const pixels: RgbImage[] = images.map((image, k) => {
  const data = new Uint8Array(image.width * image.height * 3);
  for (let y = 0; y < image.height; y++)
    for (let x = 0; x < image.width; x++)
      data.set([(x * (k + 1)) & 255, (y * 3 + k * 40) & 255, (x ^ y) & 255], (y * image.width + x) * 3);
  return { data, width: image.width, height: image.height };
});

async function render(skipUnreached: boolean): Promise<Map<string, Uint8Array>> {
  const tiles = new Map<string, Uint8Array>();
  await renderMosaic({
    width: 700,
    height: 520,
    tileSize: 128,
    images,
    load: async (k) => pixels[k]!,
    cacheBytes: 64 * 1024 * 1024,
    skipUnreached,
    onTile: (column, row, rgba) => void tiles.set(`${column}/${row}`, rgba),
  });
  return tiles;
}

test('skipping the images that cannot reach a block changes no pixel of the mosaic', async () => {
  const skipped = await render(true);
  const full = await render(false);
  expect([...skipped.keys()]).toEqual([...full.keys()]);
  let covered = 0;
  for (const [key, rgba] of full) {
    expect(Buffer.from(skipped.get(key)!).equals(Buffer.from(rgba))).toBe(true);
    for (let i = 3; i < rgba.length; i += 4) if (rgba[i] === 255) covered++;
  }
  // Most of the mosaic is covered, seams included (six images three deep in places).
  expect(covered).toBeGreaterThan(0.6 * 700 * 520);
});
