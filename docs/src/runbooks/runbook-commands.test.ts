import { deploymentNames, ENVIRONMENT_NAMES } from '@aerial/contracts';
import { jobQueueName } from '@aerial/infra';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { isBuilt, parseUsage, runBuiltProgram } from '../reference';

// The runbooks' commands name real things: each project target, CLI command, docs program,
// Argo CD application, namespace, workload, workflow input, bucket and secret is looked up in
// the repository (its manifests, workflows, packages), and the database restore's jq program is
// run on the committed Cluster.
const repoRoot = join(__dirname, '..', '..', '..');
const runbooks = join(repoRoot, 'docs', 'content', 'runbooks');
const text = readdirSync(runbooks)
  .filter((f) => f.endsWith('.md'))
  .map((f) => readFileSync(join(runbooks, f), 'utf8'))
  .join('\n');
const all = (pattern: RegExp) => [...new Set([...text.matchAll(pattern)].map((m) => m.slice(1).join(' ')))];

interface KubeObject {
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: Record<string, unknown>;
}
const parsed = new Map<string, KubeObject[]>();
const manifests = (env: string): KubeObject[] => {
  const dir = join(repoRoot, 'packages', 'kubernetes', 'manifests', env);
  if (!parsed.has(env))
    parsed.set(
      env,
      readdirSync(dir).flatMap((f) =>
        parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJS() as KubeObject),
      ),
    );
  return parsed.get(env)!;
};
/** `$env`, `<env>` and a concrete environment name all stand for each environment. */
const perEnvironment = (name: string) =>
  ENVIRONMENT_NAMES.map((env) => name.replace(/\$env|<env>|\b(dev|staging|prod)\b/g, env));

describe('the runbooks commands', () => {
  test('pnpm nx run <project>:<target> names a project with that target', () => {
    const projects = new Map<string, Record<string, string>>();
    for (const dir of ['packages', 'apps', 'tools']
      .flatMap((d) => readdirSync(join(repoRoot, d)).map((p) => join(repoRoot, d, p)))
      .concat(join(repoRoot, 'docs'))) {
      const manifest = join(dir, 'package.json');
      if (!existsSync(manifest)) continue;
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as {
        nx?: { name?: string };
        scripts?: Record<string, string>;
      };
      if (pkg.nx?.name) projects.set(pkg.nx.name, pkg.scripts ?? {});
    }
    const targets = all(/pnpm nx run ([a-z-]+):([a-z-]+)/g);
    expect(targets).toEqual(expect.arrayContaining(['kubernetes synth', 'docs build']));
    for (const target of targets) {
      const [project, script] = target.split(' ') as [string, string];
      expect({ target, exists: script in (projects.get(project) ?? {}) }).toEqual({ target, exists: true });
    }
  });

  test('node docs/lib/<program>.js is built from a program in docs/src', () => {
    const programs = all(/node docs\/lib\/([a-z/-]+)\.js/g);
    expect(programs.length).toBeGreaterThan(0);
    for (const program of programs) expect(existsSync(join(repoRoot, 'docs', 'src', `${program}.ts`))).toBe(true);
  });

  (isBuilt(repoRoot, 'cli') ? test : test.skip)('pnpm aerial <command> is a command of the CLI', () => {
    const commands = parseUsage(runBuiltProgram(repoRoot, 'cli')).map((c) => c.command);
    const used = all(/pnpm aerial ([a-z]+)/g);
    expect(used).toEqual(expect.arrayContaining(['status', 'cancel']));
    for (const command of used) expect(commands).toContain(command);
  });

  test('argocd app … names the root application or a child of it, in every environment', () => {
    const used = all(/argocd app (?:sync|wait|get|set) ((?:aerial-[a-z$<>-]+ ?)+)/g).flatMap((m) =>
      m.trim().split(' '),
    );
    // The loop over the children in "First sync": aerial-$env-$app for each app listed.
    const loop = /for app in ([\s\S]+?); do/.exec(text)?.[1]?.replace(/\\\n/g, ' ').trim().split(/\s+/) ?? [];
    expect(loop.length).toBeGreaterThan(5);
    const names = [...used.filter((n) => !n.includes('$app')), ...loop.map((app) => `aerial-$env-${app}`)];
    for (const name of names)
      for (const concrete of perEnvironment(name)) {
        const env = ENVIRONMENT_NAMES.find((e) => concrete.startsWith(`aerial-${e}`))!;
        const apps = [
          deploymentNames(env).prefix, // the root, which CDK creates
          ...manifests(env)
            .filter((o) => o.kind === 'Application')
            .map((o) => o.metadata.name),
        ];
        expect(apps).toContain(concrete);
      }
  });

  test('kubectl -n <namespace> … names a namespace and a workload the manifests create', () => {
    const objects = manifests('dev');
    const namespaces = new Set([
      ...objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name),
      'argocd', // CDK installs Argo CD there
    ]);
    const used = all(/kubectl -n ([a-z-]+) [a-z]+ (?:-it )?([a-z]+)?[ /]?([a-z0-9-]+)?/g);
    for (const namespace of all(/kubectl -n ([a-z-]+)/g)) expect(namespaces).toContain(namespace);
    const workload = (kind: string, name: string, namespace: string) =>
      objects.some(
        (o) => o.kind.toLowerCase() === kind && o.metadata.name === name && o.metadata.namespace === namespace,
      );
    for (const [kind, name, namespace] of [
      ['deployment', 'aerial-hub', 'aerial-hub'],
      ['statefulset', 'mosquitto', 'aerial-data'],
      ['cluster', 'postgis', 'aerial-data'],
    ] as const) {
      expect(text).toMatch(new RegExp(`kubectl -n ${namespace} [a-z]+ ${kind}[ /]${name}`));
      expect(workload(kind, name, namespace)).toBe(true);
    }
    expect(used.length).toBeGreaterThan(10);
  });

  test('gh workflow run <workflow> -f <input> names a workflow with that input', () => {
    const used = all(/gh workflow run ([a-z-]+) -f ([a-z_]+)=/g);
    expect(used).toEqual(expect.arrayContaining(['promote tag', 'images tag']));
    for (const run of used) {
      const [workflow, input] = run.split(' ') as [string, string];
      const file = parseYaml(readFileSync(join(repoRoot, '.github', 'workflows', `${workflow}.yml`), 'utf8')) as {
        on: { workflow_dispatch?: { inputs?: Record<string, unknown> } };
      };
      expect(Object.keys(file.on.workflow_dispatch?.inputs ?? {})).toContain(input);
    }
  });

  test('Batch job queues are those the infra creates', () => {
    const queues = all(/--job-queue ([a-z-]+)/g);
    expect(queues.length).toBeGreaterThan(0);
    const created = ENVIRONMENT_NAMES.flatMap((env) =>
      (['high', 'normal', 'low'] as const).flatMap((p) => [jobQueueName(env, p), jobQueueName(env, p, true)]),
    );
    for (const queue of queues) expect(created).toContain(queue);
  });

  test('bucket and secret names are those deploymentNames gives', () => {
    const buckets = all(/\b(aerial-platform-(?:dev|staging|prod|\$env|<env>)-[a-z]+)\b/g);
    const secrets = all(/\b(aerial\/(?:dev|staging|prod|\$env|<env>)\/[a-z-]+)\b/g);
    expect(buckets.length).toBeGreaterThan(2);
    for (const bucket of buckets)
      for (const concrete of perEnvironment(bucket)) {
        const env = ENVIRONMENT_NAMES.find((e) => concrete.startsWith(`aerial-platform-${e}-`))!;
        expect(Object.values(deploymentNames(env).buckets)).toContain(concrete);
      }
    for (const secret of secrets)
      for (const concrete of perEnvironment(secret)) {
        const env = ENVIRONMENT_NAMES.find((e) => concrete.startsWith(`aerial/${e}/`))!;
        expect(Object.values(deploymentNames(env).secrets)).toContain(concrete);
      }
  });

  const jq = ['/usr/bin/jq', '/usr/local/bin/jq'].find((p) => existsSync(p));
  (jq ? test : test.skip)('the database restore program turns the committed Cluster into its recovery', () => {
    const program = /jq --arg target "\$target" --arg server "[^"]+" '([\s\S]+?)' postgis-cluster\.json/.exec(
      text,
    )?.[1];
    expect(program).toBeDefined();
    for (const env of ENVIRONMENT_NAMES) {
      const cluster = manifests(env).find((o) => o.kind === 'Cluster')!;
      const restore = (input: unknown, target: string, server: string) =>
        JSON.parse(
          execFileSync(jq!, ['--arg', 'target', target, '--arg', 'server', server, program!], {
            input: JSON.stringify(input),
            encoding: 'utf8',
          }),
        ) as { metadata: { name: string }; spec: Record<string, unknown> };
      const first = restore(cluster, '2026-11-28T09:30:00Z', 'postgis-1');
      const backup = (cluster.spec!.backup as { barmanObjectStore: Record<string, unknown> }).barmanObjectStore;
      expect(first.metadata.name).toBe('postgis');
      expect(first.spec).toMatchObject({
        bootstrap: {
          recovery: {
            source: 'backups',
            database: 'aerial',
            owner: 'aerial',
            recoveryTarget: { targetTime: '2026-11-28T09:30:00Z' },
          },
        },
        externalClusters: [{ name: 'backups', barmanObjectStore: { ...backup, serverName: 'postgis' } }],
        backup: { barmanObjectStore: { ...backup, serverName: 'postgis-1' } },
        instances: cluster.spec!.instances,
      });
      // A second restore reads what the first one archived, and replays all the WAL without a target.
      const second = restore(first, '', 'postgis-2');
      expect(second.spec.bootstrap).toEqual({
        recovery: { source: 'backups', database: 'aerial', owner: 'aerial', secret: { name: 'postgis-app' } },
      });
      expect(second.spec.externalClusters).toMatchObject([{ barmanObjectStore: { serverName: 'postgis-1' } }]);
    }
  });
});
