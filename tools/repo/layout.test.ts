import { execFileSync } from 'node:child_process';
import { REPO_ROOT } from './temp-clone';

describe('repository layout', () => {
  const tracked = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: REPO_ROOT })
    .toString()
    .split('\n')
    .filter(Boolean);

  test('the top level is exactly what the foundation names, plus dotfiles', () => {
    const top = [...new Set(tracked.map((f) => f.split('/')[0] as string))].filter((f) => !f.startsWith('.')).sort();
    const allowed = [
      'README.md',
      'apps',
      'docs',
      // ESLint 9 reads only eslint.config.* (there is no dotfile form); projen generates it.
      'eslint.config.mjs',
      'nx.json',
      'package.json',
      'packages',
      'pnpm-lock.yaml',
      'pnpm-workspace.yaml',
      'projenrc',
      'tools',
      'tsconfig.base.json',
    ];
    expect(top.filter((f) => !allowed.includes(f))).toEqual([]);
    for (const required of ['.projenrc.ts', '.changeset', '.github', '.ci']) {
      expect(tracked.some((f) => f === required || f.startsWith(`${required}/`))).toBe(true);
    }
  });

  test('one lockfile, at the root', () => {
    expect(tracked.filter((f) => /(^|\/)(pnpm-lock\.yaml|package-lock\.json|yarn\.lock)$/.test(f))).toEqual([
      'pnpm-lock.yaml',
    ]);
  });
});
