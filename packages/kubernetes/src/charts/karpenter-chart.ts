import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import type { ClusterSettings } from '../settings';
import { add } from './objects';

/**
 * Karpenter's node pools: CPU (spot preferred, on-demand allowed) for most stages, GPU (spot then
 * on-demand, tainted so only the splat stage lands there, consolidated slowly because GPU nodes
 * take minutes to come back) and the EC2NodeClass they share. Cluster-scoped: no namespace.
 */
export class KarpenterChart extends Chart {
  constructor(scope: Construct, id: string, s: ClusterSettings) {
    super(scope, id);
    const nodeClassRef = { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'aerial' };
    const prod = s.environment.name === 'prod';
    add(
      this,
      {
        apiVersion: 'karpenter.k8s.aws/v1',
        kind: 'EC2NodeClass',
        metadata: { name: 'aerial' },
        spec: {
          role: `${s.clusterName}-karpenter-node`,
          // Pinned AMI release, bumped with platform releases (never "latest").
          amiSelectorTerms: [{ alias: 'al2023@v20251020' }],
          subnetSelectorTerms: [{ tags: { 'karpenter.sh/discovery': s.clusterName } }],
          securityGroupSelectorTerms: [{ tags: { 'karpenter.sh/discovery': s.clusterName } }],
          metadataOptions: { httpEndpoint: 'enabled', httpTokens: 'required', httpPutResponseHopLimit: 2 },
          blockDeviceMappings: [
            {
              deviceName: '/dev/xvda',
              ebs: { volumeSize: '100Gi', volumeType: 'gp3', encrypted: true, deleteOnTermination: true },
            },
          ],
          tags: { 'aerial:environment': s.environment.name },
        },
      },
      {
        apiVersion: 'karpenter.sh/v1',
        kind: 'NodePool',
        metadata: { name: 'cpu' },
        spec: {
          weight: 50,
          template: {
            metadata: { labels: { 'aerial.dev/pool': 'cpu' } },
            spec: {
              nodeClassRef,
              expireAfter: '720h',
              requirements: [
                {
                  key: 'karpenter.sh/capacity-type',
                  operator: 'In',
                  values: prod ? ['spot', 'on-demand'] : ['spot', 'on-demand'],
                },
                { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] },
                { key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['c', 'm', 'r'] },
                { key: 'karpenter.k8s.aws/instance-generation', operator: 'Gt', values: ['5'] },
              ],
            },
          },
          limits: { cpu: prod ? '256' : '64', memory: prod ? '1024Gi' : '256Gi' },
          disruption: { consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '1m' },
        },
      },
      {
        apiVersion: 'karpenter.sh/v1',
        kind: 'NodePool',
        metadata: { name: 'gpu' },
        spec: {
          weight: 10,
          template: {
            metadata: { labels: { 'aerial.dev/pool': 'gpu', 'aerial.dev/accelerator': 'nvidia-gpu' } },
            spec: {
              nodeClassRef,
              expireAfter: '168h',
              taints: [{ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' }],
              requirements: [
                { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot', 'on-demand'] },
                { key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['g5', 'g6'] },
                { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] },
              ],
            },
          },
          limits: { 'nvidia.com/gpu': prod ? '8' : '2' },
          disruption: { consolidationPolicy: 'WhenEmpty', consolidateAfter: '15m' },
        },
      },
    );
  }
}
