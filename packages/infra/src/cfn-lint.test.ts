import { App } from 'aws-cdk-lib';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { buildApp } from './app';

/**
 * Warnings cfn-lint may report on these templates, each with the reason it is accepted. Any other
 * warning, and every error, fails the test: what cfn-lint knows (retired engine versions, properties
 * CloudFormation refuses, bad references) is checked before a deployment finds it.
 */
const ALLOWED_WARNINGS: Readonly<Record<string, string>> = {
  W3005:
    'CDK writes an explicit DependsOn on a Lambda role beside the GetAtt (so the role policy exists before the function); redundant, not wrong',
  W3010:
    'the network names its availability zones so that synthesis needs no AWS lookup (offline, reproducible); they exist in every supported region',
};

interface CfnLintMatch {
  readonly Filename: string;
  readonly Level: 'Error' | 'Warning' | 'Informational';
  readonly Message: string;
  readonly Rule: { readonly Id: string };
  readonly Location: { readonly Path: readonly (string | number)[] };
}

const cfnLint = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
const installed = cfnLint.status === 0;
if (!installed)
  process.stderr.write('cfn-lint.test: cfn-lint is not on PATH (pip install cfn-lint); the template lint is skipped\n');

function templates(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name.startsWith('assembly-') ? templates(path) : [];
    return entry.name.endsWith('.template.json') ? [path] : [];
  });
}

describe('cfn-lint over every synthesized template', () => {
  let out: string;
  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'aerial-cfn-lint-'));
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  (installed ? test : test.skip)(
    'dev, staging and prod: no errors, and only the warnings allowed above',
    () => {
      // Asset bundling does not change a template's resources: skip it to keep this quick.
      buildApp(new App({ outdir: out, context: { 'aws:cdk:bundling-stacks': [] } })).synth();
      const files = templates(out);
      expect(files.map((f) => relative(out, f).split('/')[0]).sort()).toEqual(
        expect.arrayContaining(['assembly-dev', 'assembly-prod', 'assembly-staging']),
      );
      // One run over all of them: cfn-lint's start-up is most of its time.
      const run = spawnSync('cfn-lint', ['--format', 'json', '--', ...files], {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
      if (run.error) throw run.error;
      const matches = JSON.parse(run.stdout || '[]') as CfnLintMatch[];
      const found = (m: CfnLintMatch) =>
        `${m.Rule.Id} ${relative(out, m.Filename)} ${m.Location.Path.join('/')}: ${m.Message}`;
      expect(matches.filter((m) => m.Level === 'Error').map(found)).toEqual([]);
      expect(matches.filter((m) => m.Level === 'Warning' && !(m.Rule.Id in ALLOWED_WARNINGS)).map(found)).toEqual([]);
    },
    240_000,
  );

  test('every allowed warning says why', () => {
    for (const [id, reason] of Object.entries(ALLOWED_WARNINGS)) {
      expect(id).toMatch(/^W\d{4}$/);
      expect(reason.length).toBeGreaterThan(40);
    }
  });
});
