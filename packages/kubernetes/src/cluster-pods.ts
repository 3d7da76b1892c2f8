import { parse } from 'yaml';
import type { ContainerLike, PodSpecLike, SecurityContextLike } from './pod-security-restricted';

/** A Kubernetes object as synthesized (plain JSON). */
export interface ManifestObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  [field: string]: unknown;
}

/** A pod the cluster will run, as the API server receives it, and what made it. */
export interface ClusterPod {
  readonly where: string;
  readonly namespace: string;
  readonly spec: PodSpecLike;
}

/** How Argo Workflows completes a workflow pod: its controller's `executor` settings. */
export interface ArgoExecutor {
  readonly securityContext?: SecurityContextLike;
}

type Json = Record<string, unknown>;

/**
 * Every pod the objects make: the pod templates of workload controllers, and one pod per
 * container template of each WorkflowTemplate as Argo's controller builds it (emissary
 * executor): an `init` and a `wait` container with the executor's security context, the `main`
 * container from the template, the `var-run-argo` emptyDir they share, the workflow's pod-level
 * settings unless the template overrides them, then the template's `podSpecPatch`.
 */
export function clusterPods(objects: readonly ManifestObject[], executor: ArgoExecutor): ClusterPod[] {
  const pods: ClusterPod[] = [];
  for (const o of objects) {
    const namespace = o.metadata.namespace ?? '';
    const where = `${o.kind}/${o.metadata.name}`;
    const spec = o.spec ?? {};
    const template = podTemplateOf(o.kind, spec);
    if (template) pods.push({ where, namespace, spec: template });
    if (o.kind === 'WorkflowTemplate' || o.kind === 'Workflow')
      for (const t of (spec.templates as Json[] | undefined) ?? [])
        if (t.container)
          pods.push({ where: `${where}/${String(t.name)}`, namespace, spec: workflowPod(spec, t, executor) });
  }
  return pods;
}

function podTemplateOf(kind: string, spec: Json): PodSpecLike | undefined {
  const podOf = (t: unknown) => (t as { spec?: PodSpecLike } | undefined)?.spec;
  switch (kind) {
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job':
      return podOf(spec.template);
    case 'CronJob':
      return podOf((spec.jobTemplate as { spec?: Json } | undefined)?.spec?.template);
    case 'Pod':
      return spec as PodSpecLike;
    default:
      return undefined;
  }
}

function workflowPod(wf: Json, t: Json, executor: ArgoExecutor): PodSpecLike {
  const executorContainer = (name: string): ContainerLike => ({
    name,
    ...(executor.securityContext ? { securityContext: executor.securityContext } : {}),
  });
  const pod: PodSpecLike = {
    securityContext: (t.securityContext ?? wf.securityContext) as SecurityContextLike | undefined,
    hostNetwork: (t.hostNetwork ?? wf.hostNetwork) as boolean | undefined,
    volumes: [
      { name: 'var-run-argo', emptyDir: {} },
      ...((wf.volumes as Json[] | undefined) ?? []),
      ...((t.volumes as Json[] | undefined) ?? []),
    ],
    initContainers: [executorContainer('init')],
    containers: [executorContainer('wait'), { ...(t.container as ContainerLike), name: 'main' }],
  };
  const patch = (t.podSpecPatch ?? wf.podSpecPatch) as string | undefined;
  return patch ? applyPodSpecPatch(pod, parse(patch) as Json) : pod;
}

/** The strategic-merge part Argo's podSpecPatch relies on: containers merge by name, the rest deeply. */
function applyPodSpecPatch(pod: PodSpecLike, patch: Json): PodSpecLike {
  const merged = deepMerge(pod as Json, { ...patch, containers: undefined, initContainers: undefined }) as PodSpecLike;
  for (const key of ['containers', 'initContainers'] as const) {
    const patches = (patch[key] as ContainerLike[] | undefined) ?? [];
    merged[key] = (pod[key] ?? []).map((c) => {
      const p = patches.find((x) => x.name === c.name);
      return p ? (deepMerge(c as unknown as Json, p as unknown as Json) as unknown as ContainerLike) : c;
    });
  }
  return merged;
}

function deepMerge(base: Json, patch: Json): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    const b = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b)
        ? deepMerge(b as Json, v as Json)
        : v;
  }
  return out;
}
