import { availableParallelism } from 'node:os';
import sharp from 'sharp';

/**
 * Lets libvips use every core for one image. sharp starts with one thread per image here (its
 * default follows the CPU quota), which halved tile cutting; stages that run one big libvips
 * pipeline at a time call this first.
 */
export function useAllCoresForLibvips(): void {
  const cores = Math.max(1, availableParallelism());
  if (sharp.concurrency() < cores) sharp.concurrency(cores);
}
