import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The apps' built programs the reference runs (the docs never import an app: running its built
 * program is the seam). Nx builds every other project before the docs (implicitDependencies).
 */
export const BUILT_PROGRAMS = {
  cli: { file: 'apps/workers/lib/cli/main.js', args: ['help'] },
  openApi: { file: 'apps/hub/lib/server/openapi.js', args: [] },
} as const;

export type BuiltProgram = keyof typeof BUILT_PROGRAMS;

/** Whether the app holding `program` is built in the repository at `repoRoot`. */
export function isBuilt(repoRoot: string, program: BuiltProgram): boolean {
  return existsSync(join(repoRoot, BUILT_PROGRAMS[program].file));
}

/** What `program` prints on stdout; throws, with what to do, when the app is not built. */
export function runBuiltProgram(repoRoot: string, program: BuiltProgram): string {
  const { file, args } = BUILT_PROGRAMS[program];
  if (!isBuilt(repoRoot, program))
    throw new Error(
      `${file} is not built: run "pnpm nx run-many -t build" (or nx run docs:build, which builds it first)`,
    );
  return execFileSync(process.execPath, [join(repoRoot, file), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    // stderr is kept (and shown in the error when the program fails), not mixed into the build's log.
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
