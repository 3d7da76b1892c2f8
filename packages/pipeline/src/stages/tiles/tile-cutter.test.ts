import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { cutLevel } from './tile-cutter';
import { EncodeSlots } from './tile-encoding';

describe('cutLevel', () => {
  let dir: string;
  let image: string;
  // 700 × 600, opaque except a transparent band over the right 150 px; red left half, blue right,
  // green stripes down the rows (so that a row read from the wrong place shows).
  const W = 700;
  const H = 600;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aerial-tile-cutter-'));
    // PNG: sharp's TIFF writer drops the alpha band of raw input; the reader treats both alike.
    image = join(dir, 'level.png');
    const rgba = Buffer.alloc(W * H * 4);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const i = (y * W + x) * 4;
        rgba[i] = x < 350 ? 255 : 0;
        rgba[i + 1] = (y * 3) & 255;
        rgba[i + 2] = x < 350 ? 0 : 255;
        rgba[i + 3] = x >= 550 ? 0 : 255;
      }
    }
    await sharp(rgba, { raw: { width: W, height: H, channels: 4 } })
      .png()
      .toFile(image);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const level = { page: 0, width: W, height: H, offsetX: 100, offsetY: 30, blockRows: 512 };
  const cut = async (blockRows: number) => {
    const tiles = new Map<string, Buffer>();
    await cutLevel(
      { cogPath: image, ...level, blockRows },
      {
        slots: new EncodeSlots(3),
        webp: { quality: 90, effort: 0 },
        onTile: async (column, row, webp) => void tiles.set(`${column}/${row}`, webp),
      },
    );
    return tiles;
  };

  test('cuts the level on the tile grid given by its offset, skipping blank tiles', async () => {
    const tiles = new Map<string, Buffer>();
    const written = await cutLevel(
      { cogPath: image, ...level },
      {
        slots: new EncodeSlots(3),
        webp: { quality: 90, effort: 0 },
        onTile: async (column, row, webp) => void tiles.set(`${column}/${row}`, webp),
      },
    );
    // Columns: (100 + 700) / 256 → 4; rows: (30 + 600) / 256 → 3. Column 3 starts at level x 668,
    // all transparent, so it is skipped.
    expect(written).toBe(9);
    expect([...tiles.keys()].sort()).toEqual(['0/0', '0/1', '0/2', '1/0', '1/1', '1/2', '2/0', '2/1', '2/2']);
    const pixel = async (key: string, x: number, y: number) => {
      const { data } = await sharp(tiles.get(key)!).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
      const i = (y * 256 + x) * 4;
      return [data[i]!, data[i + 2]!, data[i + 3]!];
    };
    // Tile 0/0: the level starts at (100, 30); left of and above it is transparent padding.
    expect((await pixel('0/0', 50, 100))[2]).toBe(0);
    expect((await pixel('0/0', 150, 10))[2]).toBe(0);
    const red = await pixel('0/0', 150, 100);
    expect(red[0]).toBeGreaterThan(200);
    expect(red[2]).toBe(255);
    // Level x 400 (blue) is tile column 1 at x 400 + 100 − 256 = 244.
    const blue = await pixel('1/1', 244, 100);
    expect(blue[1]).toBeGreaterThan(200);
  });

  test('strips assembled from blocks of source rows (each decoded once) give the same tiles as strips read whole', async () => {
    const whole = await cut(4096);
    // 64-row blocks: every 512-row strip, offset by 30 rows, spans nine of them.
    const blocks = await cut(64);
    const straddling = await cut(200);
    expect([...blocks.keys()].sort()).toEqual([...whole.keys()].sort());
    for (const [key, webp] of whole) {
      expect(blocks.get(key)!.equals(webp)).toBe(true);
      expect(straddling.get(key)!.equals(webp)).toBe(true);
    }
  });

  test('a failing write fails the level, after every started tile has finished', async () => {
    let finished = 0;
    await expect(
      cutLevel(
        { cogPath: image, ...level },
        {
          slots: new EncodeSlots(2),
          webp: { quality: 50, effort: 0 },
          onTile: async (column, row) => {
            await new Promise((r) => setTimeout(r, 5));
            finished++;
            if (column === 1 && row === 0) throw new Error('store unavailable');
          },
        },
      ),
    ).rejects.toThrow('store unavailable');
    const after = finished;
    await new Promise((r) => setTimeout(r, 50));
    expect(finished).toBe(after);
  });
});
