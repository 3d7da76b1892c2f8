import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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

  test('a tile out of order fails the writer: later tiles and finish reject with the reason', async () => {
    const { writer } = remote('bad');
    await writer.addTile(0, 0, tile(0, 0));
    await writer.addTile(2, 0, tile(2, 0));
    await expect(writer.finish(join(dir, 'bad.tif'))).rejects.toThrow(/row-major order: got 2, expected 1/);
    await expect(writer.addTile(1, 0, tile(1, 0))).rejects.toThrow(/row-major order/);
    await writer.close();
  });
});
