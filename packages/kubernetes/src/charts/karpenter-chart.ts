import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { GPU_NODE_LABEL, GPU_TAINT } from '../placement';
import type { ClusterSettings } from '../settings';
import { add } from './objects';

/**
 * The AL2023 EKS-optimized AMI release the nodes boot (amazon-eks-ami release tag), never
 * "latest": a new AMI reaches the nodes as drift when this changes, with a platform release. For
 * GPU instance types Karpenter picks the NVIDIA variant of the same release.
 */
export const NODE_AMI_ALIAS = 'al2023@v20260930';

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
    const discovery = { [s.names.discoveryTag.key]: s.names.discoveryTag.value };
    add(
      this,
      {
        apiVersion: 'karpenter.k8s.aws/v1',
        kind: 'EC2NodeClass',
        metadata: { name: 'aerial' },
        spec: {
          // The node role CDK creates with this fixed name; Karpenter makes its instance profile.
          role: s.names.roles.karpenterNode,
          amiSelectorTerms: [{ alias: NODE_AMI_ALIAS }],
          // CDK tags the cluster's private subnets and node security group with this.
          subnetSelectorTerms: [{ tags: discovery }],
          securityGroupSelectorTerms: [{ tags: discovery }],
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
            metadata: { labels: { 'aerial.dev/pool': 'gpu', ...GPU_NODE_LABEL } },
            spec: {
              nodeClassRef,
              expireAfter: '168h',
              taints: [GPU_TAINT],
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
