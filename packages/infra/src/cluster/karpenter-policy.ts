import { type Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

export interface KarpenterPolicyScope {
  readonly stack: Stack;
  readonly clusterName: string;
  readonly clusterArn: string;
  readonly nodeRoleArn: string;
  readonly interruptionQueueArn: string;
}

/**
 * Karpenter's controller policy, statement for statement as Karpenter v1's reference
 * CloudFormation (website/content/en/<version>/getting-started/getting-started-with-karpenter/
 * cloudformation.yaml, `KarpenterControllerPolicy`). Notably:
 * - `iam:CreateInstanceProfile` is conditioned on `aws:RequestTag/...`: a profile being created has
 *   no tags yet, so an `aws:ResourceTag` condition can never match.
 * - `iam:TagInstanceProfile` needs both the resource's and the request's tags.
 * - `iam:GetInstanceProfile` is unconditioned (Karpenter reads profiles before it tags them).
 * - security groups and subnets carry the account in their ARN (`:*:`), images and snapshots not.
 */
export function karpenterControllerStatements(s: KarpenterPolicyScope): iam.PolicyStatement[] {
  // Karpenter's reference order, grouped by what the statements are for.
  return [...ec2Statements(s), ...lookupStatements(s), ...instanceProfileStatements(s), apiServerDiscovery(s)];
}

function ec2Arn(stack: Stack) {
  const { partition, region } = stack;
  return (resource: string, owner = '*') => `arn:${partition}:ec2:${region}:${owner}:${resource}/*`;
}

/** Launching, tagging and deleting the instances, fleets and launch templates of the cluster's node pools. */
function ec2Statements(s: KarpenterPolicyScope): iam.PolicyStatement[] {
  const ec2 = ec2Arn(s.stack);
  const clusterTag = `kubernetes.io/cluster/${s.clusterName}`;
  const launched = ['fleet', 'instance', 'volume', 'network-interface', 'launch-template', 'spot-instances-request'];
  return [
    new iam.PolicyStatement({
      sid: 'AllowScopedEC2InstanceAccessActions',
      actions: ['ec2:RunInstances', 'ec2:CreateFleet'],
      resources: [
        ec2('image', ''),
        ec2('snapshot', ''),
        ec2('security-group'),
        ec2('subnet'),
        ec2('capacity-reservation'),
      ],
    }),
    new iam.PolicyStatement({
      sid: 'AllowScopedEC2LaunchTemplateAccessActions',
      actions: ['ec2:RunInstances', 'ec2:CreateFleet'],
      resources: [ec2('launch-template')],
      conditions: {
        StringEquals: { [`aws:ResourceTag/${clusterTag}`]: 'owned' },
        StringLike: { 'aws:ResourceTag/karpenter.sh/nodepool': '*' },
      },
    }),
    new iam.PolicyStatement({
      sid: 'AllowScopedEC2InstanceActionsWithTags',
      actions: ['ec2:RunInstances', 'ec2:CreateFleet', 'ec2:CreateLaunchTemplate'],
      resources: launched.map((r) => ec2(r)),
      conditions: {
        StringEquals: {
          [`aws:RequestTag/${clusterTag}`]: 'owned',
          'aws:RequestTag/eks:eks-cluster-name': s.clusterName,
        },
        StringLike: { 'aws:RequestTag/karpenter.sh/nodepool': '*' },
      },
    }),
    new iam.PolicyStatement({
      sid: 'AllowScopedResourceCreationTagging',
      actions: ['ec2:CreateTags'],
      resources: launched.map((r) => ec2(r)),
      conditions: {
        StringEquals: {
          [`aws:RequestTag/${clusterTag}`]: 'owned',
          'aws:RequestTag/eks:eks-cluster-name': s.clusterName,
          'ec2:CreateAction': ['RunInstances', 'CreateFleet', 'CreateLaunchTemplate'],
        },
        StringLike: { 'aws:RequestTag/karpenter.sh/nodepool': '*' },
      },
    }),
    new iam.PolicyStatement({
      sid: 'AllowScopedResourceTagging',
      actions: ['ec2:CreateTags'],
      resources: [ec2('instance')],
      conditions: {
        StringEquals: { [`aws:ResourceTag/${clusterTag}`]: 'owned' },
        StringLike: { 'aws:ResourceTag/karpenter.sh/nodepool': '*' },
        StringEqualsIfExists: { 'aws:RequestTag/eks:eks-cluster-name': s.clusterName },
        'ForAllValues:StringEquals': { 'aws:TagKeys': ['eks:eks-cluster-name', 'karpenter.sh/nodeclaim', 'Name'] },
      },
    }),
    new iam.PolicyStatement({
      sid: 'AllowScopedDeletion',
      actions: ['ec2:TerminateInstances', 'ec2:DeleteLaunchTemplate'],
      resources: [ec2('instance'), ec2('launch-template')],
      conditions: {
        StringEquals: { [`aws:ResourceTag/${clusterTag}`]: 'owned' },
        StringLike: { 'aws:ResourceTag/karpenter.sh/nodepool': '*' },
      },
    }),
  ];
}

/** What Karpenter reads to choose instances (region, SSM parameters, prices) and the interruption queue it drains. */
function lookupStatements(s: KarpenterPolicyScope): iam.PolicyStatement[] {
  const { partition, region } = s.stack;
  return [
    new iam.PolicyStatement({
      sid: 'AllowRegionalReadActions',
      actions: [
        'ec2:DescribeCapacityReservations',
        'ec2:DescribeImages',
        'ec2:DescribeInstances',
        'ec2:DescribeInstanceTypeOfferings',
        'ec2:DescribeInstanceTypes',
        'ec2:DescribeLaunchTemplates',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeSpotPriceHistory',
        'ec2:DescribeSubnets',
      ],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:RequestedRegion': region } },
    }),
    new iam.PolicyStatement({
      sid: 'AllowSSMReadActions',
      actions: ['ssm:GetParameter'],
      resources: [`arn:${partition}:ssm:${region}::parameter/aws/service/*`],
    }),
    new iam.PolicyStatement({ sid: 'AllowPricingReadActions', actions: ['pricing:GetProducts'], resources: ['*'] }),
    new iam.PolicyStatement({
      sid: 'AllowInterruptionQueueActions',
      actions: ['sqs:DeleteMessage', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'],
      resources: [s.interruptionQueueArn],
    }),
  ];
}

/** The node role, passed to the instance profiles Karpenter creates and tags for its nodes. */
function instanceProfileStatements(s: KarpenterPolicyScope): iam.PolicyStatement[] {
  const { partition, region, account } = s.stack;
  const instanceProfiles = `arn:${partition}:iam::${account}:instance-profile/*`;
  const clusterTag = `kubernetes.io/cluster/${s.clusterName}`;
  return [
    new iam.PolicyStatement({
      sid: 'AllowPassingInstanceRole',
      actions: ['iam:PassRole'],
      resources: [s.nodeRoleArn],
      conditions: { StringEquals: { 'iam:PassedToService': ['ec2.amazonaws.com', 'ec2.amazonaws.com.cn'] } },
    }),
    new iam.PolicyStatement({
      sid: 'AllowScopedInstanceProfileCreationActions',
      actions: ['iam:CreateInstanceProfile'],
      resources: [instanceProfiles],
      conditions: {
        StringEquals: {
          [`aws:RequestTag/${clusterTag}`]: 'owned',
          'aws:RequestTag/eks:eks-cluster-name': s.clusterName,
          'aws:RequestTag/topology.kubernetes.io/region': region,
        },
        StringLike: { 'aws:RequestTag/karpenter.k8s.aws/ec2nodeclass': '*' },
      },
    }),
    new iam.PolicyStatement({
      sid: 'AllowScopedInstanceProfileTagActions',
      actions: ['iam:TagInstanceProfile'],
      resources: [instanceProfiles],
      conditions: {
        StringEquals: {
          [`aws:ResourceTag/${clusterTag}`]: 'owned',
          'aws:ResourceTag/topology.kubernetes.io/region': region,
          [`aws:RequestTag/${clusterTag}`]: 'owned',
          'aws:RequestTag/eks:eks-cluster-name': s.clusterName,
          'aws:RequestTag/topology.kubernetes.io/region': region,
        },
        StringLike: {
          'aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass': '*',
          'aws:RequestTag/karpenter.k8s.aws/ec2nodeclass': '*',
        },
      },
    }),
    new iam.PolicyStatement({
      sid: 'AllowScopedInstanceProfileActions',
      actions: ['iam:AddRoleToInstanceProfile', 'iam:RemoveRoleFromInstanceProfile', 'iam:DeleteInstanceProfile'],
      resources: [instanceProfiles],
      conditions: {
        StringEquals: {
          [`aws:ResourceTag/${clusterTag}`]: 'owned',
          'aws:ResourceTag/topology.kubernetes.io/region': region,
        },
        StringLike: { 'aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass': '*' },
      },
    }),
    new iam.PolicyStatement({
      sid: 'AllowInstanceProfileReadActions',
      actions: ['iam:GetInstanceProfile'],
      resources: [instanceProfiles],
    }),
    // The instance profile garbage collector lists every profile; IAM's List API has no
    // resource-level scope (reference: AllowUnscopedInstanceProfileListAction).
    new iam.PolicyStatement({
      sid: 'AllowUnscopedInstanceProfileListAction',
      actions: ['iam:ListInstanceProfiles'],
      resources: ['*'],
    }),
  ];
}

function apiServerDiscovery(s: KarpenterPolicyScope): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'AllowAPIServerEndpointDiscovery',
    actions: ['eks:DescribeCluster'],
    resources: [s.clusterArn],
  });
}
