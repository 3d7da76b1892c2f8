import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import type { ClusterSettings } from '../settings';
import { add, type KubeObject } from './objects';

const ARGOCD = 'argocd';

/** One child Application: a component, its sync wave and where its manifests are. */
export interface ChildApp {
  readonly name: string;
  readonly wave: number;
  readonly namespace: string;
  /** A chart file of this environment's folder, or an upstream Helm chart (pinned). */
  readonly source:
    | { readonly file: string }
    | { readonly helm: { repoURL: string; chart: string; version: string; values?: Record<string, unknown> } };
}

/**
 * Argo CD's app of apps: one root Application per environment whose children are the platform's
 * components, synced in waves — operators that bring CRDs first (Argo Workflows, CloudNativePG,
 * External Secrets), then cluster capacity (Karpenter pools), data services, the pipeline, the Hub.
 * Automated sync with prune and self-heal in dev; elsewhere a person presses sync.
 */
export class ArgoCdChart extends Chart {
  constructor(scope: Construct, id: string, s: ClusterSettings, children: readonly ChildApp[]) {
    super(scope, id);
    const syncPolicy = (createNamespace: boolean) => ({
      ...(s.autoSync ? { automated: { prune: true, selfHeal: true } } : {}),
      syncOptions: [...(createNamespace ? ['CreateNamespace=true'] : []), 'ServerSideApply=true', 'PruneLast=true'],
      retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } },
    });
    const application = (
      name: string,
      wave: number,
      destination: string,
      source: Record<string, unknown>,
      createNamespace: boolean,
    ): KubeObject => ({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name,
        namespace: ARGOCD,
        annotations: { 'argocd.argoproj.io/sync-wave': String(wave) },
        labels: { 'aerial.dev/environment': s.environment.name },
      },
      spec: {
        project: 'default',
        source,
        destination: { server: 'https://kubernetes.default.svc', namespace: destination },
        syncPolicy: syncPolicy(createNamespace),
      },
    });
    add(
      this,
      application(
        `aerial-${s.environment.name}`,
        0,
        ARGOCD,
        {
          repoURL: s.repoUrl,
          targetRevision: s.revision,
          path: s.manifestsPath,
          directory: { include: 'apps.k8s.yaml' },
        },
        false,
      ),
      ...children.map((child) =>
        application(
          `aerial-${s.environment.name}-${child.name}`,
          child.wave,
          child.namespace,
          'file' in child.source
            ? {
                repoURL: s.repoUrl,
                targetRevision: s.revision,
                path: s.manifestsPath,
                directory: { include: child.source.file },
              }
            : {
                repoURL: child.source.helm.repoURL,
                chart: child.source.helm.chart,
                targetRevision: child.source.helm.version,
                ...(child.source.helm.values ? { helm: { valuesObject: child.source.helm.values } } : {}),
              },
          'helm' in child.source,
        ),
      ),
    );
  }
}
