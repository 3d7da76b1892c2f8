import { CLUSTER_NAMESPACES } from '@aerial/contracts';
import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import type { ClusterSettings } from '../settings';
import { add, type KubeObject } from './objects';

const ARGOCD = CLUSTER_NAMESPACES.argocd;

/** An upstream Helm chart, pinned, with the values this platform sets. */
export interface HelmSource {
  readonly repoURL: string;
  readonly chart: string;
  readonly version: string;
  /** Fixed so that the names the chart derives from it (Services, service accounts) are known. */
  readonly releaseName?: string;
  readonly values?: Record<string, unknown>;
}

/** One child Application: a component, its sync wave and where its manifests are. */
export interface ChildApp {
  readonly name: string;
  readonly wave: number;
  readonly namespace: string;
  /** A chart file of this environment's folder, or an upstream Helm chart (pinned). */
  readonly source: { readonly file: string } | { readonly helm: HelmSource };
}

/** Name of a child Application in Argo CD; the root (`aerial-<env>`) is CDK's. */
export function childAppName(s: ClusterSettings, child: Pick<ChildApp, 'name'>): string {
  return `${s.names.prefix}-${child.name}`;
}

/**
 * The children of Argo CD's app of apps. The root Application of each environment is created by
 * CDK (it tracks `deploymentNames(env).gitops`: this folder, `apps.k8s.yaml` only); this chart
 * is what it syncs: the platform's components in waves — operators that bring CRDs first (Argo
 * Workflows, CloudNativePG, External Secrets), then cluster add-ons and capacity, data services,
 * the pipeline, the Hub. Automated sync with prune and self-heal in dev; elsewhere a person syncs.
 */
export class ArgoCdChart extends Chart {
  constructor(scope: Construct, id: string, s: ClusterSettings, children: readonly ChildApp[]) {
    super(scope, id);
    const gitops = s.names.gitops;
    const syncPolicy = (helm: boolean) => ({
      ...(s.autoSync ? { automated: { prune: true, selfHeal: true } } : {}),
      syncOptions: [
        ...(helm ? ['CreateNamespace=true'] : []),
        // CRDs of large operators exceed client-side apply's annotation limit.
        'ServerSideApply=true',
        // A chart file may hold custom resources whose CRD an earlier wave is still installing.
        ...(helm ? [] : ['SkipDryRunOnMissingResource=true']),
        'PruneLast=true',
      ],
      retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } },
    });
    const application = (child: ChildApp): KubeObject => ({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name: childAppName(s, child),
        namespace: ARGOCD,
        annotations: { 'argocd.argoproj.io/sync-wave': String(child.wave) },
        labels: { 'aerial.dev/environment': s.environment.name },
      },
      spec: {
        project: 'default',
        source:
          'file' in child.source
            ? {
                repoURL: gitops.repoUrl,
                targetRevision: gitops.revision,
                path: gitops.path,
                directory: { include: child.source.file },
              }
            : helmSource(child.source.helm),
        destination: { server: 'https://kubernetes.default.svc', namespace: child.namespace },
        syncPolicy: syncPolicy('helm' in child.source),
      },
    });
    add(this, ...children.map(application));
  }
}

function helmSource(h: HelmSource): Record<string, unknown> {
  const helm = {
    ...(h.releaseName ? { releaseName: h.releaseName } : {}),
    ...(h.values ? { valuesObject: h.values } : {}),
  };
  return {
    repoURL: h.repoURL,
    chart: h.chart,
    targetRevision: h.version,
    ...(Object.keys(helm).length ? { helm } : {}),
  };
}
