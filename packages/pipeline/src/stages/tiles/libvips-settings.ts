import sharp from 'sharp';

/**
 * Runs `work` with libvips set for many small pipelines at once, then puts back the settings it
 * found. The Tiles stage encodes a dozen tiles side by side: one thread per image (more only adds
 * hand-overs between threads, which cost that stage ~15 % of its time on two cores), and no
 * operation cache (no tile's pipeline ever repeats, so caching them is bookkeeping for nothing).
 */
export async function withLibvipsForManySmallImages<T>(work: () => Promise<T>): Promise<T> {
  const threads = sharp.concurrency();
  const { memory, files, items } = sharp.cache();
  sharp.concurrency(1);
  sharp.cache(false);
  try {
    return await work();
  } finally {
    sharp.concurrency(threads);
    sharp.cache({ memory: memory.max, files: files.max, items: items.max });
  }
}
