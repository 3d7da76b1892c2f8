import { CLUSTER_NAMESPACES, type DeploymentNames } from '@aerial/contracts';
import { ARGO_WORKFLOWS_CHART, argoWorkflowsValues } from './argo-workflows';
import type { ChildApp } from './charts/argocd-chart';
import { GPU_NODE_LABEL, GPU_TOLERATIONS, SYSTEM_NODE_TOLERATIONS } from './placement';

/** CloudNativePG's operator namespace (nothing outside the cluster refers to it). */
export const CNPG_NAMESPACE = 'cnpg-system';

/**
 * The operators and device plugins the charts need, from their upstream Helm charts (pinned),
 * as child Applications. Operators tolerate the system nodes' taint; the NVIDIA device plugin
 * runs only on GPU nodes (Karpenter's GPU pool: its label and taint).
 */
export function operatorApps(names: DeploymentNames): ChildApp[] {
  const externalSecrets = names.podIdentities.externalSecrets;
  return [
    {
      name: 'argo-workflows',
      wave: -3,
      namespace: CLUSTER_NAMESPACES.argo,
      source: { helm: { ...ARGO_WORKFLOWS_CHART, values: argoWorkflowsValues() } },
    },
    {
      name: 'cloudnative-pg',
      wave: -3,
      namespace: CNPG_NAMESPACE,
      source: {
        helm: {
          repoURL: 'https://cloudnative-pg.github.io/charts',
          chart: 'cloudnative-pg',
          version: '0.26.1',
          values: { tolerations: SYSTEM_NODE_TOLERATIONS },
        },
      },
    },
    {
      name: 'external-secrets',
      wave: -3,
      namespace: externalSecrets.namespace,
      source: {
        helm: {
          repoURL: 'https://charts.external-secrets.io',
          chart: 'external-secrets',
          version: '0.20.4',
          releaseName: 'external-secrets',
          values: {
            installCRDs: true,
            // EKS Pod Identity associates the IAM role with exactly this namespace/name.
            serviceAccount: { create: true, name: externalSecrets.serviceAccount },
            tolerations: SYSTEM_NODE_TOLERATIONS,
            webhook: { tolerations: SYSTEM_NODE_TOLERATIONS },
            certController: { tolerations: SYSTEM_NODE_TOLERATIONS },
          },
        },
      },
    },
    {
      name: 'nvidia-device-plugin',
      wave: -2,
      namespace: CLUSTER_NAMESPACES.system,
      source: {
        helm: {
          repoURL: 'https://nvidia.github.io/k8s-device-plugin',
          chart: 'nvidia-device-plugin',
          version: '0.18.2',
          releaseName: 'nvidia-device-plugin',
          values: { nodeSelector: GPU_NODE_LABEL, tolerations: GPU_TOLERATIONS },
        },
      },
    },
  ];
}
