import sharp from 'sharp';

/**
 * Runs `work` with libvips using `threads` threads per image, then puts back the setting it found.
 * A stage that runs many small libvips pipelines at once (the Tiles stage encodes a dozen tiles
 * side by side) wants one thread each: more only adds hand-overs between threads, which cost the
 * Tiles stage ~15 % of its time on two cores.
 */
export async function withLibvipsThreadsPerImage<T>(threads: number, work: () => Promise<T>): Promise<T> {
  const before = sharp.concurrency();
  sharp.concurrency(threads);
  try {
    return await work();
  } finally {
    sharp.concurrency(before);
  }
}
