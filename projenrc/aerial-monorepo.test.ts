import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Project, Testing } from 'projen';
import { parse } from 'yaml';
import { AerialMonorepo } from './aerial-monorepo';
import { RepositorySettings } from './repository-settings';

describe('AerialMonorepo', () => {
  let outdir: string;
  let out: Record<string, unknown>;
  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'aerial-projenrc-'));
    out = Testing.synth(new AerialMonorepo({ name: 'test-repo', outdir }));
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  test('nx.json: cache in the repository, no analytics, no cloud, builds wait for dependencies', () => {
    expect(out['nx.json']).toMatchObject({
      cacheDirectory: '.nx/cache',
      analytics: false,
      neverConnectToCloud: true,
      useDaemonProcess: false,
      namedInputs: { default: expect.any(Array), production: expect.any(Array) },
      targetDefaults: {
        build: { dependsOn: ['^build'], cache: true },
        test: { dependsOn: ['^build'], cache: true },
      },
    });
  });

  test('root build only builds; tests are their own task', () => {
    const tasks = (
      out['.projen/tasks.json'] as { tasks: Record<string, { steps?: { exec?: string; spawn?: string }[] }> }
    ).tasks;
    expect(tasks.build!.steps).toEqual([{ exec: 'nx run-many -t build' }]);
    expect(tasks.test!.steps).toEqual([{ exec: 'nx run-many -t test' }]);
  });

  test('changesets versions and tags private packages and patches dependents', () => {
    expect(out['.changeset/config.json']).toMatchObject({
      privatePackages: { version: true, tag: true },
      updateInternalDependencies: 'patch',
      baseBranch: 'main',
    });
  });

  test('root package.json is a private workspace root pinned to one pnpm', () => {
    expect(out['package.json']).toMatchObject({
      private: true,
      packageManager: expect.stringMatching(/^pnpm@\d+\.\d+\.\d+$/),
    });
    expect(out['package.json']).not.toHaveProperty('main');
  });

  test('branch protection requires the pull request jobs that exist, security included', () => {
    const yaml = (file: string) => (typeof out[file] === 'string' ? parse(out[file]) : out[file]) as unknown;
    const settings = yaml('.github/settings.yml') as {
      branches: { protection: { required_status_checks: { contexts: string[] } } }[];
    };
    const pr = yaml('.github/workflows/pull-request.yml') as { jobs: Record<string, { name: string }> };
    const names = Object.values(pr.jobs).map((j) => j.name);
    const required = settings.branches[0]!.protection.required_status_checks.contexts;
    expect(required).toEqual(['build', 'test', 'security']);
    for (const check of required) expect(names).toContain(check);
  });

  test('repository settings refuse an impossible approval count', () => {
    const project = new Project({ name: 'x', outdir: join(outdir, 'other') });
    expect(() => new RepositorySettings(project, { requiredApprovals: 0 })).toThrow(
      /required approvals must be an integer from 1 to 6/,
    );
  });
});
