import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing } from 'projen';
import { AerialMonorepo } from './aerial-monorepo';

type Manifest = {
  name: string;
  version: string;
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  nx: { name: string; implicitDependencies?: string[] };
  jest: { transformIgnorePatterns?: string[] };
};

describe('WorkspacePackage', () => {
  let outdir: string;
  beforeEach(() => {
    outdir = mkdtempSync(join(tmpdir(), 'aerial-projenrc-'));
  });
  afterEach(() => rmSync(outdir, { recursive: true, force: true }));

  function synthWith(build: (repo: AerialMonorepo) => void): Record<string, unknown> {
    const repo = new AerialMonorepo({ name: 'test-repo', outdir });
    build(repo);
    return Testing.synth(repo);
  }

  test('GIVEN a version on disk WHEN synthesized THEN the version survives', () => {
    mkdirSync(join(outdir, 'packages', 'contracts'), { recursive: true });
    writeFileSync(join(outdir, 'packages', 'contracts', 'package.json'), JSON.stringify({ version: '1.4.2' }));
    const out = synthWith((repo) =>
      repo.addPackage({ name: 'contracts', outdir: 'packages/contracts', description: 'd' }),
    );
    expect((out['packages/contracts/package.json'] as Manifest).version).toBe('1.4.2');
  });

  test('files read at run time ship with pnpm deploy; extra build outputs are cached by Nx', () => {
    const out = synthWith((repo) =>
      repo.addPackage({
        name: 'hub',
        outdir: 'apps/hub',
        description: 'd',
        runtimeFiles: ['src/db/migrations', 'web/dist'],
        buildOutputs: ['web/dist'],
      }),
    );
    const manifest = out['apps/hub/package.json'] as {
      files: string[];
      nx: { targets: { build: { outputs: string[] } } };
    };
    expect(manifest.files).toEqual(['lib', 'src/db/migrations', 'web/dist', '!lib/**/*.test.*', '!lib/.tsbuildinfo']);
    expect(manifest.nx.targets.build.outputs).toEqual(['{projectRoot}/lib', '{projectRoot}/web/dist']);
  });

  test("tests that read the package's own build run after it; others only after their dependencies'", () => {
    const out = synthWith((repo) => {
      repo.addPackage({ name: 'docs', outdir: 'docs', description: 'd', testsReadBuild: true });
      repo.addPackage({ name: 'contracts', outdir: 'packages/contracts', description: 'd' });
    });
    type Targets = { nx: { targets: { test: { dependsOn?: string[] } } } };
    expect((out['docs/package.json'] as Targets).nx.targets.test.dependsOn).toEqual(['^build', 'build']);
    expect((out['packages/contracts/package.json'] as Targets).nx.targets.test.dependsOn).toBeUndefined();
  });

  test('a new package starts at 0.0.0 and is registered in the pnpm workspace', () => {
    const out = synthWith((repo) =>
      repo.addPackage({ name: 'contracts', outdir: 'packages/contracts', description: 'd' }),
    );
    expect((out['packages/contracts/package.json'] as Manifest).version).toBe('0.0.0');
    expect(out['pnpm-workspace.yaml']).toMatch(/packages:\n\s+- packages\/contracts/);
  });

  test('workspace dependencies become workspace:^ and tsconfig references; implicit ones go to nx', () => {
    const out = synthWith((repo) => {
      const contracts = repo.addPackage({ name: 'contracts', outdir: 'packages/contracts', description: 'd' });
      const pipeline = repo.addPackage({
        name: 'pipeline',
        outdir: 'packages/pipeline',
        description: 'd',
        workspaceDeps: [contracts],
      });
      repo.addPackage({
        name: 'docs',
        outdir: 'docs',
        description: 'd',
        workspaceDeps: [contracts],
        implicitDependencies: 'all-others',
      });
      repo.addPackage({ name: 'tests', outdir: 'packages/tests', description: 'd', implicitDependencies: [pipeline] });
    });
    const pipeline = out['packages/pipeline/package.json'] as Manifest;
    expect(pipeline.name).toBe('@aerial/pipeline');
    expect(pipeline.dependencies).toEqual({ '@aerial/contracts': 'workspace:^' });
    expect(out['packages/pipeline/tsconfig.json']).toMatchObject({
      references: [{ path: '../contracts' }],
      extends: '../../tsconfig.base.json',
    });
    // docs imports contracts, so only the others are implicit; packages declared after docs are included.
    expect((out['docs/package.json'] as Manifest).nx.implicitDependencies).toEqual(['pipeline', 'tests']);
    expect((out['packages/tests/package.json'] as Manifest).nx).toMatchObject({
      name: 'tests',
      implicitDependencies: ['pipeline'],
    });
  });

  test('build compiles without running tests; test is its own script', () => {
    const out = synthWith((repo) =>
      repo.addPackage({ name: 'contracts', outdir: 'packages/contracts', description: 'd' }),
    );
    const scripts = (out['packages/contracts/package.json'] as Manifest).scripts;
    expect(scripts.build).toBe('tsc -p tsconfig.json');
    expect(scripts.test).toMatch(/jest/);
  });

  test('ESM-only dependencies are transformed by jest', () => {
    const out = synthWith((repo) =>
      repo.addPackage({ name: 'hub', outdir: 'apps/hub', description: 'd', esmOnlyDeps: ['cookie'] }),
    );
    const [pattern] = (out['apps/hub/package.json'] as Manifest).jest.transformIgnorePatterns!;
    const ignored = new RegExp(pattern!);
    expect(ignored.test('/r/node_modules/.pnpm/cookie@1.0.0/node_modules/cookie/index.js')).toBe(false);
    expect(ignored.test('/r/node_modules/.pnpm/zod@4.1.0/node_modules/zod/index.js')).toBe(true);
  });

  test('a scoped ESM-only dependency is transformed under both of its spellings in the pnpm store', () => {
    const out = synthWith((repo) =>
      repo.addPackage({ name: 'hub', outdir: 'apps/hub', description: 'd', esmOnlyDeps: ['@tus/server'] }),
    );
    const ignored = new RegExp((out['apps/hub/package.json'] as Manifest).jest.transformIgnorePatterns![0]!);
    expect(ignored.test('/r/node_modules/.pnpm/@tus+server@2.4.5/node_modules/@tus/server/dist/index.js')).toBe(false);
    expect(ignored.test('/r/node_modules/@tus/server/dist/index.js')).toBe(false);
    expect(ignored.test('/r/node_modules/.pnpm/@tus+utils@0.7.1/node_modules/@tus/utils/dist/index.js')).toBe(true);
  });

  test('refuses duplicate names and bad names', () => {
    expect(() =>
      synthWith((repo) => {
        repo.addPackage({ name: 'contracts', outdir: 'packages/contracts', description: 'd' });
        repo.addPackage({ name: 'contracts', outdir: 'packages/contracts2', description: 'd' });
      }),
    ).toThrow(/clashes with "contracts"/);
    expect(() => synthWith((repo) => repo.addPackage({ name: 'Hub', outdir: 'apps/hub', description: 'd' }))).toThrow(
      /must be lowercase kebab-case/,
    );
  });
});
