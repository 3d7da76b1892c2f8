import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { emitFigures, figure, num, skipped } from './report';

const ROOT = resolve(__dirname, '..', '..', '..');
const ROUNDS = Number(process.env.BENCH_AFFECTED_ROUNDS ?? 1);
/** The change: one comment line in a Hub source file. */
const HUB_FILE = 'apps/hub/src/server/main.ts';

/**
 * `nx affected` after a Hub-only change against the full run, in a temporary git worktree of HEAD
 * (its own install from the pnpm store, offline) with one extra commit: the projects affected
 * against all projects, and `nx affected -t build` against `nx run-many -t build`, each from clean
 * outputs with the Nx cache skipped. The working tree and branches are never touched.
 */
async function main(): Promise<void> {
  if (!existsSync(join(ROOT, '.git'))) {
    process.stdout.write('affected: skipped, not a git checkout\n');
    emitFigures([skipped('nx.affected.projects', 'Nx', 'nx affected after a Hub-only change', 'not a git checkout')]);
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'aerial-bench-affected-'));
  const tree = join(work, 'tree');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: tree, stdio: 'pipe', encoding: 'utf8' });
  execFileSync('git', ['worktree', 'add', '--detach', '-q', tree, 'HEAD'], { cwd: ROOT, stdio: 'pipe' });
  try {
    const env = {
      ...process.env,
      NX_DAEMON: 'false',
      NX_NO_CLOUD: 'true',
      NX_TUI: 'false',
      // Nx keeps its cache and workspace data in the worktree, not beside the real checkout's.
      NX_CACHE_DIRECTORY: join(work, 'nx-cache'),
      NX_WORKSPACE_DATA_DIRECTORY: join(work, 'nx-data'),
    };
    const run = (file: string, args: string[]) =>
      execFileSync(file, args, { cwd: tree, env, stdio: 'pipe', encoding: 'utf8', maxBuffer: 1 << 26 });
    run('pnpm', ['install', '--offline', '--frozen-lockfile', '--ignore-scripts']);
    appendFileSync(join(tree, HUB_FILE), '// a Hub-only change (pnpm bench)\n');
    git('-c', 'user.name=bench', '-c', 'user.email=bench@localhost', 'commit', '-q', '-am', 'bench: a Hub-only change');
    const nx = (...args: string[]) => run(join(tree, 'node_modules', '.bin', 'nx'), args);
    const range = ['--base=HEAD~1', '--head=HEAD'];
    const all = JSON.parse(nx('show', 'projects', '--json')) as string[];
    const affected = JSON.parse(nx('show', 'projects', '--affected', ...range, '--json')) as string[];
    const outputs = all.flatMap((p) => buildOutputs(nx('show', 'project', p, '--json'), tree));
    const failed = new Set<string>();
    const timed = (args: string[]) => {
      for (const o of outputs) rmSync(o, { recursive: true, force: true });
      const started = performance.now();
      const build = spawnSync(
        join(tree, 'node_modules', '.bin', 'nx'),
        [...args, '-t', 'build', '--skip-nx-cache', '--output-style=static'],
        { cwd: tree, env, encoding: 'utf8', maxBuffer: 1 << 26 },
      );
      const seconds = (performance.now() - started) / 1000;
      // A project that fails to build at this commit is timed as it is, and named in the report.
      if (build.status !== 0) {
        const section = `${build.stdout}${build.stderr}`.split('Failed tasks:')[1] ?? '';
        for (const m of section.matchAll(/^- (\S+):build/gm)) failed.add(m[1]!);
        if (!failed.size) failed.add(`exit ${build.status}`);
      }
      return seconds;
    };
    const full: number[] = [];
    const only: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      // Alternate which goes first: the second may find more of the code in the page cache.
      if (r % 2) only.push(timed(['affected', ...range]));
      full.push(timed(['run-many']));
      if (!(r % 2)) only.push(timed(['affected', ...range]));
    }
    const projects = figure({
      id: 'nx.affected.projects',
      group: 'Nx',
      name: 'projects affected by a Hub-only change',
      unit: 'projects',
      samples: [affected.length],
      baseline: { name: 'all projects', samples: [all.length] },
      note: `affected: ${affected.sort().join(', ')}.`,
    });
    const build = figure({
      id: 'nx.affected.build',
      group: 'Nx',
      name: '`nx affected -t build` after a Hub-only change, clean outputs, cache skipped',
      unit: 's',
      samples: only,
      baseline: { name: '`nx run-many -t build`', samples: full },
      // From clean outputs the affected run also builds everything the Hub depends on.
      note:
        `affected builds ${affected.length} projects and their dependencies; run-many all ${all.length}.` +
        (failed.size
          ? ` At this commit the build failed for ${[...failed].join(', ')} (and what depends on it was not built).`
          : ''),
    });
    process.stdout.write(
      `affected by a Hub-only change: ${affected.length} of ${all.length} projects (${affected.join(', ')})\n` +
        `nx affected -t build ${only.map(num).join(', ')} s vs nx run-many -t build ${full.map(num).join(', ')} s` +
        ` (clean outputs, cache skipped, ${ROUNDS} round${ROUNDS > 1 ? 's' : ''})\n`,
    );
    emitFigures([projects, build]);
  } finally {
    try {
      execFileSync('git', ['worktree', 'remove', '--force', tree], { cwd: ROOT, stdio: 'pipe' });
    } catch (e) {
      process.stderr.write(`affected: could not remove the worktree ${tree}: ${(e as Error).message}\n`);
    }
    rmSync(work, { recursive: true, force: true });
  }
}

/** The build target's declared outputs of one project, as absolute paths. */
function buildOutputs(projectJson: string, tree: string): string[] {
  const project = JSON.parse(projectJson) as { root: string; targets?: { build?: { outputs?: string[] } } };
  return (project.targets?.build?.outputs ?? [])
    .map((o) => o.replace('{projectRoot}', project.root).replace('{workspaceRoot}/', ''))
    .filter((o) => !o.includes('{') && !o.includes('*'))
    .map((o) => join(tree, o));
}

main().catch((e: unknown) => {
  process.stderr.write(`bench affected: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
