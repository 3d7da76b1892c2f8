import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** Packages for running stages: native image code and WebAssembly the Hub must never ship. */
const HEAVY = ['sharp', '@techstark/opencv-js', '@playcanvas/splat-transform'];

interface ListedPackage {
  readonly dependencies?: Record<string, ListedPackage>;
}

/** Every package name in a `pnpm list --json` tree, with the chain that reached it. */
function walk(
  dependencies: Record<string, ListedPackage> | undefined,
  via: string[],
  out: Map<string, string[]>,
): void {
  for (const [name, listed] of Object.entries(dependencies ?? {})) {
    if (!out.has(name)) out.set(name, [...via, name]);
    // A package already seen was walked when it was first reached.
    if (out.get(name)!.length === via.length + 1) walk(listed.dependencies, [...via, name], out);
  }
}

describe("the Hub's production dependency tree", () => {
  test('holds no stage processing package (sharp, OpenCV.js, splat-transform)', () => {
    const listing = execFileSync(
      'pnpm',
      ['--filter', '@aerial/hub', 'list', '--prod', '--depth', 'Infinity', '--json'],
      { cwd: join(__dirname, '..'), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    const [hub] = JSON.parse(listing) as ListedPackage[];
    const reached = new Map<string, string[]>();
    walk(hub?.dependencies, ['@aerial/hub'], reached);
    // The walk really went deep: the runtime's logger is there.
    expect(reached.get('pino')).toEqual(expect.arrayContaining(['@aerial/runtime', 'pino']));
    expect(HEAVY.filter((name) => reached.has(name)).map((name) => reached.get(name)!.join(' > '))).toEqual([]);
  });
});
