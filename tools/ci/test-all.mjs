// Runs every package's tests through Nx, then prints one line of totals over all jest runs
// ("N passed, N failed, N skipped"), read by CI. Exits non-zero if any test or task failed.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const root = join(import.meta.dirname, '..', '..');
const packages = parse(readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8')).packages;
const results = packages.map((dir) => join(root, dir, '.jest', 'results.json'));
// Stale results from an earlier run must not be counted; Nx restores them on cache hits.
for (const file of results) rmSync(file, { force: true });

const nx = spawnSync(
  join(root, 'node_modules', '.bin', 'nx'),
  ['run-many', '-t', 'test', '--output-style=stream', ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NX_TUI: 'false' },
  },
);

let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
for (const [i, file] of results.entries()) {
  if (!existsSync(file)) {
    missing.push(packages[i]);
    continue;
  }
  const r = JSON.parse(readFileSync(file, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests + r.numRuntimeErrorTestSuites;
  skipped += r.numPendingTests + r.numTodoTests;
}
if (missing.length)
  console.error(`no jest results from: ${missing.join(', ')} (their test task failed before jest finished)`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(nx.status === 0 && failed === 0 && missing.length === 0 ? 0 : 1);
