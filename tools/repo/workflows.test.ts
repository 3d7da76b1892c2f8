import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { REPO_ROOT } from './temp-clone';

type Workflow = {
  on: Record<string, unknown>;
  jobs: Record<
    string,
    {
      needs?: string | string[];
      environment?: unknown;
      permissions?: Record<string, string>;
      strategy?: { matrix: Record<string, unknown> };
      steps?: { uses?: string; run?: string; with?: Record<string, unknown> }[];
    }
  >;
};

const workflowsDir = join(REPO_ROOT, '.github', 'workflows');
const schema = JSON.parse(
  readFileSync(join(REPO_ROOT, 'tools', 'schemas', 'github-workflow.schema.json'), 'utf8'),
) as object;
const load = (name: string) => parse(readFileSync(join(workflowsDir, `${name}.yml`), 'utf8')) as Workflow;
/** `needs` may be one job name or a list. */
const needs = (job: { needs?: string | string[] }) => [job.needs ?? []].flat();

describe('GitHub workflows', () => {
  const files = readdirSync(workflowsDir).filter((f) => f.endsWith('.yml'));

  test('the six workflows exist', () => {
    expect(files.sort()).toEqual([
      'deploy.yml',
      'docs.yml',
      'images.yml',
      'promote.yml',
      'pull-request.yml',
      'release.yml',
    ]);
  });

  test.each(files)('%s is valid against the GitHub workflow schema', (file) => {
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    const ok = validate(parse(readFileSync(join(workflowsDir, file), 'utf8')));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  test('the schema check catches a broken workflow', () => {
    const validate = new Ajv({ strict: false }).compile(schema);
    expect(validate({ on: 'push', jobs: { x: { 'runs-on': 'ubuntu-latest', steps: [{ uses: 1 }] } } })).toBe(false);
  });

  test('pull requests: drift check, affected lint/test/build with full history, tests on Node 20, 22, 24', () => {
    const pr = load('pull-request');
    const build = pr.jobs.build!;
    const runs = build.steps!.map((s) => s.run ?? '');
    expect(runs).toContain('npx projen && git diff --exit-code');
    expect(runs.some((r) => r.includes('nx affected -t lint build'))).toBe(true);
    expect(runs.some((r) => r.includes('nx affected -t synth'))).toBe(true);
    expect(build.steps![0]!.with).toEqual({ 'fetch-depth': 0 });
    expect(pr.jobs['test-node']!.strategy!.matrix).toEqual({ node: ['20', '22', '24'] });
    expect(needs(pr.jobs.test!)).toEqual(['test-node']);
  });

  test('deploy: dev, then staging, then prod, through GitHub environments and an OIDC role', () => {
    const deploy = load('deploy');
    expect(needs(deploy.jobs['deploy-staging']!)).toEqual(['deploy-dev']);
    expect(needs(deploy.jobs['deploy-prod']!)).toEqual(['deploy-staging']);
    expect(deploy.jobs['deploy-prod']!.environment).toBe('prod');
    for (const job of Object.values(deploy.jobs)) {
      expect(job.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    }
    const text = readFileSync(join(workflowsDir, 'deploy.yml'), 'utf8');
    expect(text).toContain('role-to-assume');
    expect(text).not.toMatch(/aws-access-key-id|aws-secret-access-key|\b\d{12}\b/);
  });

  test('release: changesets version pull request, then tags', () => {
    const step = load('release').jobs.release!.steps!.find((s) => s.uses?.startsWith('changesets/action'));
    expect(step?.with).toMatchObject({ version: 'pnpm run version-packages', publish: 'pnpm run tag-packages' });
  });

  test('docs: builds the docs package under its Pages path and publishes it, on a change to what it reads', () => {
    const docs = load('docs');
    const steps = docs.jobs.build!.steps!;
    expect(steps.map((s) => s.run)).toContain('pnpm nx run docs:build');
    expect(steps.some((s) => s.uses?.startsWith('actions/configure-pages'))).toBe(true);
    expect(steps.map((s) => s.run ?? '').join('\n')).toContain('--base "${{ steps.pages.outputs.base_path }}/"');
    expect(steps.some((s) => s.uses?.startsWith('actions/upload-pages-artifact'))).toBe(true);
    expect(docs.jobs.publish!.steps!.some((s) => s.uses?.startsWith('actions/deploy-pages'))).toBe(true);
    const on = docs.on as { push: { paths: string[] }; workflow_dispatch: unknown };
    expect(on.push.paths).toEqual(expect.arrayContaining(['docs/**', 'packages/contracts/**', 'apps/hub/**']));
    expect(on).toHaveProperty('workflow_dispatch');
  });

  test('branch protection: PR with 1 approval, stale approvals dismissed, build, test and security required, no bypass', () => {
    const settings = parse(readFileSync(join(REPO_ROOT, '.github', 'settings.yml'), 'utf8')) as {
      branches: { name: string; protection: Record<string, unknown> }[];
    };
    const main = settings.branches.find((b) => b.name === 'main')!;
    expect(main.protection).toMatchObject({
      required_pull_request_reviews: { required_approving_review_count: 1, dismiss_stale_reviews: true },
      required_status_checks: { contexts: ['build', 'test', 'security'] },
      enforce_admins: true,
    });
  });
});
