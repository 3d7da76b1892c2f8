import { DEFAULT_ENVIRONMENTS, deploymentNames, ENVIRONMENT_NAMES, type EnvironmentName } from '@aerial/contracts';
import { AERIAL_PIPELINE, longestPathSeconds, renderAsl } from '@aerial/definition';
import { Testing } from 'cdk8s';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { buildEnvironment } from './app';
import { SECRET_STORE, STORAGE_CLASS } from './charts/addons-chart';
import { POD_IDENTITY_AGENT } from './charts/objects';
import { CNPG_NAMESPACE } from './operators';
import { WORKLOAD_NODE_SELECTOR } from './placement';

const PACKAGE = resolve(__dirname, '..');
const VALIDATOR = join(PACKAGE, 'lib', 'validate', 'validate-manifests.mjs');

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  [key: string]: unknown;
}

const synthesized = new Map<EnvironmentName, { dir: string; objects: Obj[] }>();
let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'aerial-k8s-'));
  for (const name of ENVIRONMENT_NAMES) {
    const dir = join(work, name);
    buildEnvironment(name, dir).app.synth();
    const objects = readdirSync(dir)
      .sort()
      .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJSON() as Obj));
    synthesized.set(name, { dir, objects });
  }
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const CLUSTER_SCOPED = new Set([
  'Namespace',
  'NodePool',
  'EC2NodeClass',
  'ClusterRole',
  'ClusterRoleBinding',
  'ClusterSecretStore',
  'StorageClass',
]);

/** Every pod spec in an object with where it is, for the security rules. */
function podSpecs(o: Obj): { where: string; spec: Record<string, unknown>; containers: Record<string, unknown>[] }[] {
  const spec = o.spec as Record<string, unknown> | undefined;
  if (!spec) return [];
  if (o.kind === 'Deployment' || o.kind === 'StatefulSet') {
    const pod = (spec.template as { spec: Record<string, unknown> }).spec;
    return [
      {
        where: `${o.kind}/${o.metadata.name}`,
        spec: pod.securityContext as Record<string, unknown>,
        containers: pod.containers as Record<string, unknown>[],
      },
    ];
  }
  if (o.kind === 'WorkflowTemplate') {
    return (spec.templates as Record<string, unknown>[])
      .filter((t) => t.container)
      .map((t) => ({
        where: `WorkflowTemplate/${String(t.name)}`,
        spec: spec.securityContext as Record<string, unknown>,
        containers: [t.container as Record<string, unknown>],
      }));
  }
  return [];
}

describe.each([...ENVIRONMENT_NAMES])('manifests of %s', (name) => {
  const objects = () => synthesized.get(name)!.objects;

  test('every object validates against its schema (kubernetes-models, @kubernetes-models/*)', () => {
    const results = JSON.parse(
      execFileSync(process.execPath, [VALIDATOR, synthesized.get(name)!.dir], { encoding: 'utf8' }),
    ) as {
      kind: string;
      name: string;
      error?: string;
    }[];
    expect(results.length).toBe(objects().length);
    expect(results.filter((r) => r.error)).toEqual([]);
  });

  test('images are pinned: no "latest", always a tag', () => {
    for (const { where, containers } of objects().flatMap(podSpecs)) {
      for (const c of containers)
        expect({ where, image: c.image }).toEqual({ where, image: expect.stringMatching(/^[^:]+(:[\w.-]+)$/) });
      for (const c of containers) expect(String(c.image)).not.toMatch(/:latest$/);
    }
    for (const cluster of objects().filter((o) => o.kind === 'Cluster'))
      expect(String(cluster.spec!.imageName)).not.toMatch(/:latest$/);
  });

  test('every container has requests and limits and the restricted security context; every pod runs as non-root with seccomp', () => {
    const pods = objects().flatMap(podSpecs);
    expect(pods.length).toBeGreaterThan(10);
    for (const { where, spec, containers } of pods) {
      expect({ where, pod: spec }).toMatchObject({
        where,
        pod: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      });
      for (const c of containers) {
        expect({ where, c }).toMatchObject({
          where,
          c: {
            resources: {
              requests: { cpu: expect.any(String), memory: expect.any(String) },
              limits: { cpu: expect.any(String), memory: expect.any(String) },
            },
            securityContext: {
              runAsNonRoot: true,
              readOnlyRootFilesystem: true,
              allowPrivilegeEscalation: false,
              capabilities: { drop: ['ALL'] },
              seccompProfile: { type: 'RuntimeDefault' },
            },
          },
        });
      }
    }
  });

  test('cluster-scoped kinds carry no namespace; namespaced ones do', () => {
    for (const o of objects()) {
      const scoped = CLUSTER_SCOPED.has(o.kind);
      expect({ kind: o.kind, name: o.metadata.name, namespaced: o.metadata.namespace !== undefined }).toEqual({
        kind: o.kind,
        name: o.metadata.name,
        namespaced: !scoped,
      });
    }
  });

  test('namespaces are restricted (Pod Security Standard) and deny by default', () => {
    const namespaces = objects().filter((o) => o.kind === 'Namespace');
    expect(namespaces.map((n) => n.metadata.name).sort()).toEqual(['aerial-data', 'aerial-hub', 'aerial-pipeline']);
    for (const n of namespaces) {
      expect(n.metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted' });
      expect(
        objects().find(
          (o) =>
            o.kind === 'NetworkPolicy' &&
            o.metadata.namespace === n.metadata.name &&
            o.metadata.name === 'default-deny',
        )?.spec,
      ).toEqual({
        podSelector: {},
        policyTypes: ['Ingress', 'Egress'],
      });
    }
  });

  test("the workflow's whole-job deadline is the environment's, and the slowest path of stages fits inside it", () => {
    const template = objects().find((o) => o.kind === 'WorkflowTemplate')!;
    const limit = DEFAULT_ENVIRONMENTS[name].limits.jobTimeoutSeconds;
    expect((template.spec as { activeDeadlineSeconds: number }).activeDeadlineSeconds).toBe(limit);
    expect(longestPathSeconds(renderAsl(AERIAL_PIPELINE))).toBeLessThanOrEqual(limit);
  });

  test('every namespace that denies by default still lets its pods fetch their AWS credentials (Pod Identity agent)', () => {
    for (const ns of ['aerial-data', 'aerial-hub', 'aerial-pipeline']) {
      const rules = objects()
        .filter((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === ns)
        .flatMap((o) => ((o.spec as { egress?: Record<string, unknown>[] }).egress ?? []) as Record<string, unknown>[]);
      expect({ ns, rule: rules.find((r) => JSON.stringify(r).includes('169.254.170.23/32')) }).toEqual({
        ns,
        rule: {
          to: POD_IDENTITY_AGENT.cidrs.map((cidr) => ({ ipBlock: { cidr } })),
          ports: [{ protocol: 'TCP', port: 80 }],
        },
      });
    }
  });

  test('no literal secrets: credentials come from ExternalSecrets', () => {
    expect(objects().filter((o) => o.kind === 'Secret')).toEqual([]);
    const text = JSON.stringify(objects());
    expect(text).not.toMatch(/password"\s*:\s*"[^{]/i);
    expect(objects().filter((o) => o.kind === 'ExternalSecret').length).toBeGreaterThanOrEqual(3);
  });

  test('Argo CD: child Applications in sync waves (operators first, the Hub last); automated sync only in dev', () => {
    const apps = objects().filter((o) => o.kind === 'Application');
    const wave = (suffix: string) =>
      Number(
        apps.find((a) => a.metadata.name === `aerial-${name}-${suffix}`)!.metadata.annotations![
          'argocd.argoproj.io/sync-wave'
        ],
      );
    expect(wave('argo-workflows')).toBeLessThan(wave('addons'));
    expect(wave('external-secrets')).toBeLessThan(wave('addons'));
    expect(wave('addons')).toBeLessThan(wave('karpenter'));
    expect(wave('karpenter')).toBeLessThan(wave('data'));
    expect(wave('data')).toBeLessThan(wave('pipeline'));
    expect(wave('pipeline')).toBeLessThan(wave('hub'));
    for (const app of apps) {
      const policy = app.spec!.syncPolicy as { automated?: unknown; syncOptions: string[] };
      expect(Boolean(policy.automated)).toBe(name === 'dev');
      expect(policy.syncOptions).toContain('ServerSideApply=true');
      // Files may hold custom resources whose CRDs an earlier wave is still installing.
      if ((app.spec!.source as { path?: string }).path)
        expect(policy.syncOptions).toContain('SkipDryRunOnMissingResource=true');
    }
    for (const cr of objects().filter((o) =>
      ['WorkflowTemplate', 'Cluster', 'ScheduledBackup', 'ClusterSecretStore'].includes(o.kind),
    ))
      expect(cr.metadata.annotations).toMatchObject({
        'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true',
      });
  });

  test("the Hub reaches Argo Workflows' server by the Service name, port and scheme the chart gets", () => {
    const app = objects().find((o) => o.metadata.name === `aerial-${name}-argo-workflows`)!;
    const source = app.spec!.source as {
      chart: string;
      helm: { releaseName: string; valuesObject: { server: { secure: boolean; servicePort: number } } };
    };
    const { server } = source.helm.valuesObject;
    const { namespace } = app.spec!.destination as { namespace: string };
    const hubConfig = objects().find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'aerial-hub')!;
    // argo-helm: server Service = "<release>-<chart name>-<server.name = server>".
    expect((hubConfig.data as Record<string, string>).ARGO_SERVER_URL).toBe(
      `${server.secure ? 'https' : 'http'}://${source.helm.releaseName}-${source.chart}-server.${namespace}.svc:${server.servicePort}`,
    );
  });

  test('the platform names come from deploymentNames: buckets, secrets, Karpenter role and discovery tag', () => {
    const names = deploymentNames(name);
    const text = JSON.stringify(objects());
    expect(text).toContain(`s3://${names.buckets.work}`);
    expect(text).toContain(`s3://${names.buckets.backups}/`);
    const keys = objects()
      .filter((o) => o.kind === 'ExternalSecret')
      .flatMap((o) => ((o.spec!.data as { remoteRef: { key: string } }[]) ?? []).map((d) => d.remoteRef.key));
    expect(new Set(keys)).toEqual(new Set(Object.values(names.secrets)));
    const nodeClass = objects().find((o) => o.kind === 'EC2NodeClass')!.spec as Record<string, unknown>;
    expect(nodeClass).toMatchObject({
      role: names.roles.karpenterNode,
      subnetSelectorTerms: [{ tags: { [names.discoveryTag.key]: names.discoveryTag.value } }],
      securityGroupSelectorTerms: [{ tags: { [names.discoveryTag.key]: names.discoveryTag.value } }],
      amiSelectorTerms: [{ alias: expect.stringMatching(/^al2023@v\d{8}$/) }],
    });
  });

  test('add-ons: a default encrypted gp3 StorageClass every claim uses, the AWS secret store in the region', () => {
    const storageClass = objects().find((o) => o.kind === 'StorageClass')!;
    expect(storageClass).toMatchObject({
      metadata: { name: STORAGE_CLASS, annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'ebs.csi.aws.com',
      parameters: { type: 'gp3', encrypted: 'true' },
      volumeBindingMode: 'WaitForFirstConsumer',
    });
    const claims = objects().flatMap((o) => [
      ...((o.spec?.volumeClaimTemplates as { spec: { storageClassName: string } }[]) ?? []).map(
        (c) => c.spec.storageClassName,
      ),
      ...(o.kind === 'Cluster' ? [(o.spec!.storage as { storageClass: string }).storageClass] : []),
    ]);
    expect(claims.length).toBeGreaterThanOrEqual(2);
    expect(new Set(claims)).toEqual(new Set([STORAGE_CLASS]));
    expect(objects().find((o) => o.kind === 'ClusterSecretStore')).toMatchObject({
      metadata: { name: SECRET_STORE.name },
      spec: { provider: { aws: { service: 'SecretsManager', region: DEFAULT_ENVIRONMENTS[name].region } } },
    });
    for (const es of objects().filter((o) => o.kind === 'ExternalSecret'))
      expect(es.spec!.secretStoreRef).toEqual(SECRET_STORE);
  });

  test('placement: workloads on amd64 Karpenter nodes, operators tolerate the system taint, the device plugin only on GPU nodes', () => {
    const pods = objects().flatMap(podSpecs);
    for (const o of objects().filter((x) => ['Deployment', 'StatefulSet'].includes(x.kind)))
      expect((o.spec!.template as { spec: { nodeSelector: unknown } }).spec.nodeSelector).toEqual(
        WORKLOAD_NODE_SELECTOR,
      );
    expect(pods.length).toBeGreaterThan(0);
    const template = objects().find((o) => o.kind === 'WorkflowTemplate')!;
    expect(template.spec!.nodeSelector).toEqual(WORKLOAD_NODE_SELECTOR);
    for (const t of (template.spec!.templates as { nodeSelector?: Record<string, string> }[]).filter(
      (x) => x.nodeSelector,
    ))
      expect(t.nodeSelector).toMatchObject(WORKLOAD_NODE_SELECTOR);
    expect(objects().find((o) => o.kind === 'Cluster')!.spec!.affinity).toEqual({
      nodeSelector: WORKLOAD_NODE_SELECTOR,
    });
    const values = (suffix: string) =>
      (
        objects().find((o) => o.metadata.name === `aerial-${name}-${suffix}`)!.spec!.source as {
          helm: { valuesObject: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
        }
      ).helm.valuesObject;
    const critical = { key: 'CriticalAddonsOnly', operator: 'Exists', effect: 'NoSchedule' };
    expect(values('argo-workflows').controller.tolerations).toContainEqual(critical);
    expect(values('argo-workflows').server.tolerations).toContainEqual(critical);
    expect(values('cloudnative-pg').tolerations).toContainEqual(critical);
    expect(values('external-secrets').tolerations).toContainEqual(critical);
    const gpuPool = objects().find((o) => o.kind === 'NodePool' && o.metadata.name === 'gpu')!.spec as {
      template: { metadata: { labels: Record<string, string> }; spec: { taints: { key: string }[] } };
    };
    expect(values('nvidia-device-plugin')).toEqual({
      nodeSelector: { 'aerial.dev/accelerator': gpuPool.template.metadata.labels['aerial.dev/accelerator'] },
      tolerations: [{ key: gpuPool.template.spec.taints[0]!.key, operator: 'Exists', effect: 'NoSchedule' }],
    });
  });

  test('the CloudNativePG operator reaches the instances (ports 8000, 5432) through the default deny', () => {
    const policy = objects().find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'postgis-from-operator')!;
    expect(policy.spec).toMatchObject({
      podSelector: { matchLabels: { 'cnpg.io/cluster': 'postgis' } },
      ingress: [
        {
          from: expect.arrayContaining([
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': CNPG_NAMESPACE } },
              podSelector: { matchLabels: { 'app.kubernetes.io/name': 'cloudnative-pg' } },
            },
          ]),
          ports: [
            { protocol: 'TCP', port: 8000 },
            { protocol: 'TCP', port: 5432 },
          ],
        },
      ],
    });
  });

  test('Karpenter: CPU and GPU pools; the GPU pool is tainted, limited and slow to consolidate; nodes use IMDSv2 and encrypted gp3', () => {
    const pool = (n: string) =>
      objects().find((o) => o.kind === 'NodePool' && o.metadata.name === n)!.spec as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(pool('gpu').template.spec.taints).toEqual([{ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' }]);
    expect(pool('gpu').limits['nvidia.com/gpu']).toBeDefined();
    expect(Number.parseInt(pool('gpu').disruption.consolidateAfter, 10)).toBeGreaterThanOrEqual(15);
    expect(pool('cpu').weight).toBeGreaterThan(pool('gpu').weight);
    const nodeClass = objects().find((o) => o.kind === 'EC2NodeClass')!.spec as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(nodeClass.metadataOptions).toMatchObject({ httpTokens: 'required', httpPutResponseHopLimit: 2 });
    expect(nodeClass.blockDeviceMappings[0].ebs).toMatchObject({ volumeType: 'gp3', encrypted: true });
  });
});

test('the WorkflowTemplate and the ASL describe the same stages, images, resources and retries', () => {
  const template = synthesized.get('dev')!.objects.find((o) => o.kind === 'WorkflowTemplate')!;
  interface StageTemplate {
    name: string;
    container?: {
      image: string;
      env: { name: string; value: string }[];
      resources: { limits: Record<string, string> };
    };
    retryStrategy?: { limit: string };
  }
  const templates = (template.spec!.templates as StageTemplate[]).filter((t) => t.container);
  const asl = renderAsl(AERIAL_PIPELINE) as unknown as { States: Record<string, unknown> };
  const aslStages = new Set<string>();
  const walk = (states: Record<string, unknown>) => {
    for (const [stateName, state] of Object.entries(states)) {
      const s = state as { Type: string; Branches?: { States: Record<string, unknown> }[] };
      // Notify runs in two states (after success, after a failure), named after it.
      const stage = AERIAL_PIPELINE.stages.find((d) => stateName === d.name || stateName.startsWith(d.name));
      if (s.Type === 'Task' && stage) aslStages.add(stage.name);
      for (const b of s.Branches ?? []) walk(b.States);
    }
  };
  walk(asl.States);
  expect(templates.map((t) => t.container!.env.find((e) => e.name === 'AERIAL_STAGE')!.value).sort()).toEqual(
    [...aslStages].sort(),
  );
  for (const stage of AERIAL_PIPELINE.stages) {
    const t = templates.find((x) => x.name === `stage-${stage.name.toLowerCase()}`)!;
    expect(t.container!.image).toMatch(new RegExp(`/${stage.image}:`));
    expect(t.container!.resources.limits).toMatchObject({
      cpu: String(stage.resources.vcpu),
      memory: `${stage.resources.memoryMiB}Mi`,
      ...(stage.resources.gpu ? { 'nvidia.com/gpu': String(stage.resources.gpu) } : {}),
    });
    expect(Number(t.retryStrategy!.limit)).toBe(stage.retry.attempts - 1);
  }
  expect(templates.find((t) => t.name === 'stage-splat')).toMatchObject({ tolerations: [{ key: 'nvidia.com/gpu' }] });
});

test('Testing.synth: the Hub chart is probed on its health endpoints', () => {
  const { charts } = buildEnvironment('staging', mkdtempSync(join(tmpdir(), 'aerial-k8s-hub-')));
  const hub = Testing.synth(charts.find((c) => c.node.id === 'hub')!) as Obj[];
  const deployment = hub.find((o) => o.kind === 'Deployment')!;
  const container = ((deployment.spec!.template as any).spec.containers as any[])[0]; // eslint-disable-line @typescript-eslint/no-explicit-any
  expect(container.livenessProbe.httpGet.path).toBe('/health');
  expect(container.readinessProbe.httpGet.path).toBe('/ready');
  expect(hub.map((o) => o.kind).sort()).toEqual(
    expect.arrayContaining([
      'ConfigMap',
      'Deployment',
      'ExternalSecret',
      'HorizontalPodAutoscaler',
      'Ingress',
      'PodDisruptionBudget',
      'Service',
    ]),
  );
});

test('Testing.synth: the Hub may retry (resume) its workflows on Argo, in the pipeline namespace only', () => {
  const { charts } = buildEnvironment('staging', mkdtempSync(join(tmpdir(), 'aerial-k8s-hub-rbac-')));
  const hub = Testing.synth(charts.find((c) => c.node.id === 'hub')!) as Obj[];
  const role = hub.find((o) => o.kind === 'Role' && o.metadata.name === 'aerial-hub-submitter') as Obj & {
    rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
  };
  expect(role.metadata.namespace).toBe('aerial-pipeline');
  const may = (group: string, resource: string, verb: string) =>
    role.rules.some((r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb));
  // PUT /api/v1/workflows/{ns}/{name}/retry: Argo Server updates the workflow and deletes the failed nodes' pods.
  expect([may('argoproj.io', 'workflows', 'update'), may('', 'pods', 'delete')]).toEqual([true, true]);
  expect(may('argoproj.io', 'workflows', 'delete')).toBe(false);
  const binding = hub.find((o) => o.kind === 'RoleBinding' && o.metadata.name === 'aerial-hub-submitter') as Obj & {
    subjects: { kind: string; namespace: string }[];
  };
  expect(binding.subjects).toEqual([expect.objectContaining({ kind: 'ServiceAccount', namespace: 'aerial-hub' })]);
});
