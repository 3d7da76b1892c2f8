import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import sharp from 'sharp';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { CogWriter } from './cog-writer';
import { type CogInit, RemoteCogWriter, serveCogWriter } from './cog-writer-thread';

// The worker script only calls serveCogWriter on its parent port (the Hub's end-to-end tests run
// it); here the two sides talk over a MessageChannel, which is the same protocol in one thread.
describe('COG writer on a thread of its own', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'aerial-cog-thread-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const init = (name: string): CogInit => ({
    width: 700,
    height: 600,
    tileSize: 256,
    georeference: { epsg: 3857, originX: 100, originY: 200, pixelSize: 0.5 },
    tempPath: join(dir, `${name}.bin`),
  });
  /** A tile with a pattern that depends on where it is, so a misplaced tile shows. */
  const tile = (column: number, row: number): Uint8Array => {
    const rgba = new Uint8Array(256 * 256 * 4);
    for (let p = 0; p < 256 * 256; p++) rgba.set([(p + column * 7) & 255, (p >> 8) + row * 9, column * 40, 255], p * 4);
    return rgba;
  };
  const remote = (name: string) => {
    const { port1, port2 } = new MessageChannel();
    serveCogWriter(port1, init(name));
    return {
      writer: new RemoteCogWriter(port2, async () => {
        port1.close();
        port2.close();
      }),
    };
  };

  test('writes the same file and half level as the writer in this thread', async () => {
    const local = new CogWriter(700, 600, 256, init('local').georeference, init('local').tempPath);
    const { writer } = remote('remote');
    for (let row = 0; row < 3; row++) {
      for (let column = 0; column < 3; column++) {
        await local.addTile(column, row, tile(column, row));
        await writer.addTile(column, row, tile(column, row));
      }
    }
    const expected = await local.finish(join(dir, 'local.tif'));
    const result = await writer.finish(join(dir, 'remote.tif'));
    await writer.close();
    expect(result).toMatchObject({ bytes: expected.bytes, overviews: expected.overviews });
    expect(readFileSync(join(dir, 'remote.tif')).equals(readFileSync(join(dir, 'local.tif')))).toBe(true);
    expect(Buffer.from(result.half.data).equals(Buffer.from(local.halfLevel().data))).toBe(true);
    expect(result.half).toMatchObject({ width: 350, height: 300 });
  });

  // 1,100 × 1,500 in 128 px tiles: four overview levels (550 × 750 down to 69 × 94), each filled
  // over many calls; 300 × 260 in 16 px tiles: five, the deeper ones filled an odd row at a time.
  test.each([
    [1100, 1500, 128, 4],
    [300, 260, 16, 5],
  ])(
    'overviews built row by row while %i × %i tiles (%i px) arrive equal halving each whole level',
    async (width, height, size, expected) => {
      const writer = new CogWriter(width, height, size, init('pyramid').georeference, init('pyramid').tempPath);
      const columns = Math.ceil(width / size);
      for (let row = 0; row < Math.ceil(height / size); row++) {
        for (let column = 0; column < columns; column++) {
          const rgba = new Uint8Array(size * size * 4);
          for (let p = 0; p < size * size; p++) {
            const x = column * size + (p % size);
            const y = row * size + Math.floor(p / size);
            // Some transparency, so that the alpha weighting matters.
            rgba.set([(x * 7) & 255, (y * 5) & 255, (x ^ y) & 255, (x + y) % 97 === 0 ? 0 : 255], p * 4);
          }
          await writer.addTile(column, row, rgba);
        }
      }
      const path = join(dir, 'pyramid.tif');
      const { overviews } = await writer.finish(path);
      expect(overviews).toBe(expected);
      const page = async (n: number) => {
        const { data, info } = await sharp(path, { page: n }).raw().toBuffer({ resolveWithObject: true });
        return { data: new Uint8Array(data), width: info.width, height: info.height };
      };
      // Full resolution reads back as given (the predictor and DEFLATE undone by libtiff).
      const full = await page(0);
      expect(full.width).toBe(width);
      for (const [x, y] of [
        [0, 0],
        [width - 1, 0],
        [Math.floor(width / 2) + 1, Math.floor(height / 3)],
        [width - 1, height - 1],
        [1, height - 2],
      ] as const)
        expect(Array.from(full.data.subarray((y * width + x) * 4, (y * width + x) * 4 + 4))).toEqual([
          (x * 7) & 255,
          (y * 5) & 255,
          (x ^ y) & 255,
          (x + y) % 97 === 0 ? 0 : 255,
        ]);
      let above = await page(1);
      expect(Buffer.from(above.data).equals(Buffer.from(writer.halfLevel().data))).toBe(true);
      for (let n = 2; n <= overviews; n++) {
        const level = await page(n);
        expect(Buffer.from(level.data).equals(Buffer.from(halved(above).data))).toBe(true);
        above = level;
      }
    },
  );

  test('a tile out of order fails the writer: later tiles and finish reject with the reason', async () => {
    const { writer } = remote('bad');
    await writer.addTile(0, 0, tile(0, 0));
    await writer.addTile(2, 0, tile(2, 0));
    await expect(writer.finish(join(dir, 'bad.tif'))).rejects.toThrow(/row-major order: got 2, expected 1/);
    await expect(writer.addTile(1, 0, tile(1, 0))).rejects.toThrow(/row-major order/);
    await writer.close();
  });
});

/** A whole level halved at once: each pixel the alpha-weighted mean of its 2×2 block (the writer's rule). */
function halved(level: { data: Uint8Array; width: number; height: number }) {
  const width = Math.ceil(level.width / 2);
  const height = Math.ceil(level.height / 2);
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const sum = [0, 0, 0, 0];
      for (const [sx, sy] of [
        [2 * x, 2 * y],
        [2 * x + 1, 2 * y],
        [2 * x, 2 * y + 1],
        [2 * x + 1, 2 * y + 1],
      ] as const) {
        if (sx >= level.width || sy >= level.height) continue;
        const i = (sy * level.width + sx) * 4;
        const alpha = level.data[i + 3]!;
        for (let c = 0; c < 3; c++) sum[c]! += level.data[i + c]! * alpha;
        sum[3]! += alpha;
      }
      if (sum[3] === 0) continue;
      data.set(
        [0, 1, 2].map((c) => Math.round(sum[c]! / sum[3]!)).concat(Math.round(sum[3]! / 4)),
        (y * width + x) * 4,
      );
    }
  }
  return { data, width, height };
}
