import { execFileSync, type ExecFileSyncOptions } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** The repository these tests belong to. */
export const REPO_ROOT = join(__dirname, '..', '..');

/** A throwaway git repository holding the working tree of {@link REPO_ROOT} as one commit. */
export interface TempClone {
  readonly dir: string;
  /** Runs a command in the clone and returns its stdout; throws with stderr on failure. */
  run(command: string, args: string[], options?: ExecFileSyncOptions): string;
  /** Runs a git command in the clone. */
  git(...args: string[]): string;
  /** Writes `text` to `file` (relative to the clone), creating folders. */
  write(file: string, text: string): void;
  read(file: string): string;
  remove(): void;
}

const quiet = {
  GIT_AUTHOR_NAME: 'aerial-tests',
  GIT_AUTHOR_EMAIL: 'tests@aerial.invalid',
  GIT_COMMITTER_NAME: 'aerial-tests',
  GIT_COMMITTER_EMAIL: 'tests@aerial.invalid',
};

/**
 * Copies the tracked and untracked-but-not-ignored files of the working tree into a new git
 * repository on branch `main`, so a test sees uncommitted changes too. `node_modules` folders are
 * linked, not installed: a pnpm install per test would dominate the run time, and the links keep
 * the exact dependency tree under test.
 */
export function createTempClone(): TempClone {
  const dir = mkdtempSync(join(tmpdir(), 'aerial-clone-'));
  const env = { ...process.env, ...quiet, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', CI: 'true' };
  const run = (command: string, args: string[], options: ExecFileSyncOptions = {}): string => {
    try {
      return execFileSync(command, args, { cwd: dir, env, encoding: 'utf8', stdio: 'pipe', ...options }).toString();
    } catch (e) {
      const err = e as { stderr?: Buffer | string; stdout?: Buffer | string; message: string };
      throw new Error(
        `${command} ${args.join(' ')} failed in ${dir}:\n${err.stdout ?? ''}\n${err.stderr ?? err.message}`,
      );
    }
  };
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: REPO_ROOT,
  })
    .toString()
    .split('\0')
    .filter((f) => f && existsSync(join(REPO_ROOT, f)) && !lstatSync(join(REPO_ROOT, f)).isDirectory());
  for (const file of files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    copyFileSync(join(REPO_ROOT, file), join(dir, file));
  }
  for (const manifest of files.filter((f) => f === 'package.json' || f.endsWith('/package.json'))) {
    const modules = join(dirname(manifest), 'node_modules');
    if (existsSync(join(REPO_ROOT, modules))) symlinkSync(join(REPO_ROOT, modules), join(dir, modules), 'dir');
  }
  run('git', ['init', '-q', '-b', 'main']);
  run('git', ['add', '-A']);
  run('git', ['commit', '-q', '-m', 'snapshot of the working tree']);

  return {
    dir,
    run,
    git: (...args) => run('git', args),
    write: (file, text) => {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), text);
    },
    read: (file) => readFileSync(join(dir, file), 'utf8'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Runs a binary installed in the repository's node_modules/.bin. */
export function bin(name: string): string {
  return join(REPO_ROOT, 'node_modules', '.bin', name);
}
