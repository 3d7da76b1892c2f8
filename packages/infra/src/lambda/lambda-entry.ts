import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The TypeScript source of a Lambda handler in `src/lambda`, whether this code runs from `src`
 * (tests) or from `lib` (the built app): esbuild bundles the source with its workspace imports.
 */
export function lambdaEntry(name: string): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the infra package root');
    dir = parent;
  }
  const entry = join(dir, 'src', 'lambda', `${name}.ts`);
  if (!existsSync(entry)) throw new Error(`no Lambda handler ${entry}`);
  return entry;
}
