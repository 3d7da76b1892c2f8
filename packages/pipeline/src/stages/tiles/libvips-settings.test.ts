import sharp from 'sharp';
import { withLibvipsForManySmallImages } from './libvips-settings';

test('libvips runs one thread per image without its cache inside, and gets its settings back after, also on failure', async () => {
  sharp.concurrency(3);
  sharp.cache({ memory: 40, files: 10, items: 70 });
  const inside = await withLibvipsForManySmallImages(async () => ({
    threads: sharp.concurrency(),
    items: sharp.cache().items.max,
  }));
  expect(inside).toEqual({ threads: 1, items: 0 });
  await expect(
    withLibvipsForManySmallImages(async () => {
      throw new Error('tile failed');
    }),
  ).rejects.toThrow('tile failed');
  expect(sharp.concurrency()).toBe(3);
  expect(sharp.cache()).toMatchObject({ memory: { max: 40 }, files: { max: 10 }, items: { max: 70 } });
});
