import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The images folder of a dataset in `../shared/datasets/<name>` beside the repository, or undefined
 * when it is absent (tests that use it skip with a message then). The datasets are never copied
 * into the repository.
 */
export function sharedDatasetImages(name: string, from: string = __dirname): string | undefined {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) {
      const images = join(dir, '..', 'shared', 'datasets', name, 'images');
      return existsSync(images) ? images : undefined;
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
