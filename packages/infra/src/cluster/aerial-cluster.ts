import { KubectlV33Layer } from '@aws-cdk/lambda-layer-kubectl-v33';
import { type EnvironmentName } from '@aerial/contracts';
import { Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledge, LAMBDA_BASIC_EXECUTION } from '../nag/acknowledge';
import { KarpenterInterruption } from './karpenter-interruption';

/** Chart versions installed by the stacks; Argo CD manages everything else from git. */
export const CHARTS = {
  karpenter: { repository: 'oci://public.ecr.aws/karpenter/karpenter', version: '1.5.0' },
  argoCd: { repository: 'https://argoproj.github.io/argo-helm', chart: 'argo-cd', version: '8.1.2' },
} as const;

/** Helm installs run in a Lambda (15 min limit): leave it room to report. */
const HELM_TIMEOUT = Duration.minutes(12);

export interface AerialClusterProps {
  readonly environmentName: EnvironmentName;
  readonly clusterName: string;
  readonly vpc: ec2.IVpc;
  readonly systemInstanceType: string;
  /** Where Argo CD finds this environment's synthesized manifests. */
  readonly gitops: { readonly repoUrl: string; readonly revision: string; readonly path: string };
  /** Sync automatically with prune and self-heal (dev); manual syncs otherwise. @default false */
  readonly autoSync?: boolean;
}

/**
 * EKS with a small managed node group for system pods, Karpenter (controller role via IRSA, node
 * role and instance profile, interruption queue) for everything else, and Argo CD bootstrapped
 * with the app of apps that points at this environment's manifests.
 */
export class AerialCluster extends Construct {
  readonly cluster: eks.Cluster;
  readonly nodeRole: iam.Role;
  readonly interruption: KarpenterInterruption;
  readonly karpenterRole: iam.IRole;

  constructor(scope: Construct, id: string, props: AerialClusterProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.cluster = new eks.Cluster(this, 'Resource', {
      clusterName: props.clusterName,
      version: eks.KubernetesVersion.V1_33,
      kubectlLayer: new KubectlV33Layer(this, 'Kubectl'),
      vpc: props.vpc,
      vpcSubnets: [{ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }],
      endpointAccess: eks.EndpointAccess.PRIVATE,
      defaultCapacity: 0,
      clusterLogging: [
        eks.ClusterLoggingTypes.API,
        eks.ClusterLoggingTypes.AUDIT,
        eks.ClusterLoggingTypes.AUTHENTICATOR,
        eks.ClusterLoggingTypes.CONTROLLER_MANAGER,
        eks.ClusterLoggingTypes.SCHEDULER,
      ],
      tags: { 'karpenter.sh/discovery': props.clusterName },
    });
    this.cluster.addNodegroupCapacity('System', {
      instanceTypes: [new ec2.InstanceType(props.systemInstanceType)],
      minSize: 2,
      maxSize: 3,
      amiType: eks.NodegroupAmiType.AL2023_ARM_64_STANDARD,
      labels: { 'aerial/pool': 'system' },
    });

    this.nodeRole = new iam.Role(this, 'KarpenterNodeRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      managedPolicies: [
        'AmazonEKSWorkerNodePolicy',
        'AmazonEKS_CNI_Policy',
        'AmazonEC2ContainerRegistryReadOnly',
        'AmazonSSMManagedInstanceCore',
      ].map((n) => iam.ManagedPolicy.fromAwsManagedPolicyName(n)),
    });
    new iam.CfnInstanceProfile(this, 'KarpenterInstanceProfile', { roles: [this.nodeRole.roleName] });
    this.cluster.awsAuth.addRoleMapping(this.nodeRole, {
      username: 'system:node:{{EC2PrivateDNSName}}',
      groups: ['system:bootstrappers', 'system:nodes'],
    });

    this.interruption = new KarpenterInterruption(this, 'Interruption', {
      queueName: `${props.clusterName}-karpenter`,
    });
    const serviceAccount = this.cluster.addServiceAccount('Karpenter', { name: 'karpenter', namespace: 'kube-system' });
    this.karpenterRole = serviceAccount.role;
    for (const statement of karpenterControllerStatements(
      stack,
      props.clusterName,
      this.nodeRole,
      this.interruption.queue.queueArn,
      this.cluster.clusterArn,
    )) {
      serviceAccount.addToPrincipalPolicy(statement);
    }
    const karpenter = this.cluster.addHelmChart('Karpenter', {
      chart: 'karpenter',
      repository: CHARTS.karpenter.repository,
      version: CHARTS.karpenter.version,
      release: 'karpenter',
      namespace: 'kube-system',
      timeout: HELM_TIMEOUT,
      wait: true,
      values: {
        serviceAccount: { create: false, name: 'karpenter' },
        settings: { clusterName: props.clusterName, interruptionQueue: this.interruption.queue.queueName },
        controller: { resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } } },
      },
    });
    karpenter.node.addDependency(serviceAccount);

    const argoCd = this.cluster.addHelmChart('ArgoCd', {
      chart: CHARTS.argoCd.chart,
      repository: CHARTS.argoCd.repository,
      version: CHARTS.argoCd.version,
      release: 'argocd',
      namespace: 'argocd',
      createNamespace: true,
      timeout: HELM_TIMEOUT,
      wait: true,
      values: { configs: { params: { 'server.insecure': false } }, dex: { enabled: false } },
    });
    const root = this.cluster.addManifest('AppOfApps', appOfApps(props));
    root.node.addDependency(argoCd);
    this.acknowledgeFindings(stack, props.clusterName);
  }

  private acknowledgeFindings(stack: Stack, clusterName: string): void {
    const managed = (name: string) => `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${name}]`;
    const nodePolicies = [
      'AmazonEKSWorkerNodePolicy',
      'AmazonEKS_CNI_Policy',
      'AmazonEC2ContainerRegistryReadOnly',
    ].map(managed);
    acknowledge(
      this.nodeRole,
      'EKS worker nodes need these AWS-managed policies (kubelet, VPC CNI, image pulls, SSM access instead of SSH)',
      [...nodePolicies, managed('AmazonSSMManagedInstanceCore')],
    );
    acknowledge(this.cluster, 'EKS requires the AWS-managed cluster and node group policies', [
      ...nodePolicies,
      managed('AmazonEKSClusterPolicy'),
    ]);
    acknowledge(
      this.karpenterRole,
      "Karpenter launches and tags instances it cannot know in advance; every mutating statement is conditioned on the cluster tag, as in Karpenter's reference policy",
      [
        'AwsSolutions-IAM5[Resource::*]',
        ...['fleet', 'instance', 'launch-template', 'network-interface', 'spot-instances-request', 'volume'].map(
          (r) => `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:${stack.region}:*:${r}/*]`,
        ),
        ...['image', 'security-group', 'snapshot', 'subnet'].map(
          (r) => `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:${stack.region}::${r}/*]`,
        ),
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:instance-profile/*]',
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:${stack.region}::parameter/aws/service/*]`,
      ],
    );
    // The rest belongs to the providers aws-eks creates for its custom resources (cluster
    // creation, kubectl); their code and policies are CDK's, not ours.
    acknowledge(
      stack,
      'aws-eks creates the cluster through a creation role that must describe and tag resources created at run time',
      [
        'AwsSolutions-IAM5[Resource::*]',
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:eks:${stack.region}:<AWS::AccountId>:cluster/${clusterName}/*]`,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:eks:${stack.region}:<AWS::AccountId>:fargateprofile/${clusterName}/*]`,
      ],
    );
    acknowledge(
      stack,
      'the aws-eks provider framework (CDK code): AWS-managed Lambda policies, version wildcards on its own handlers, its waiter state machine',
      [
        LAMBDA_BASIC_EXECUTION,
        managed('service-role/AWSLambdaVPCAccessExecutionRole'),
        managed('AmazonEC2ContainerRegistryPullOnly'),
        'AwsSolutions-IAM4[Policy::{"Fn::If":["ClusterHasEcrPublic80519EDA",{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":iam::aws:policy/AmazonElasticContainerRegistryPublicReadOnly"]]},{"Ref":"AWS::NoValue"}]}]',
        ...[
          'IsCompleteHandler7073F4DA',
          'OnEventHandler42BEBAE0',
          'ProviderframeworkisComplete26D7B0CB',
          'ProviderframeworkonTimeout0B47CA38',
          'Handler886CB40B',
        ].map((id) => `AwsSolutions-IAM5[Resource::<${id}.Arn>:*]`),
        'AwsSolutions-L1',
        'AwsSolutions-SF1',
        'AwsSolutions-SF2',
        'Serverless-LambdaDLQ',
        'Serverless-LambdaDefaultMemorySize',
        'Serverless-LambdaTracing',
        'Serverless-LambdaLatestVersion',
        'Serverless-StepFunctionStateMachineXray',
      ],
    );
  }
}

/** The root Argo CD Application of an environment: everything else is its children, from git. */
export function appOfApps(
  props: Pick<AerialClusterProps, 'environmentName' | 'gitops' | 'autoSync'>,
): Record<string, unknown> {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name: `aerial-${props.environmentName}`,
      namespace: 'argocd',
      finalizers: ['resources-finalizer.argocd.argoproj.io'],
    },
    spec: {
      project: 'default',
      source: { repoURL: props.gitops.repoUrl, targetRevision: props.gitops.revision, path: props.gitops.path },
      destination: { server: 'https://kubernetes.default.svc', namespace: 'argocd' },
      syncPolicy: props.autoSync
        ? { automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=true'] }
        : { syncOptions: ['CreateNamespace=true'] },
    },
  };
}

/** Karpenter's controller policy (v1), scoped to this cluster's tags, node role and queue. */
function karpenterControllerStatements(
  stack: Stack,
  clusterName: string,
  nodeRole: iam.IRole,
  queueArn: string,
  clusterArn: string,
): iam.PolicyStatement[] {
  const regionCondition = { StringEquals: { 'aws:RequestedRegion': stack.region } };
  return [
    new iam.PolicyStatement({
      sid: 'AllowScopedEC2InstanceAccessActions',
      actions: ['ec2:RunInstances', 'ec2:CreateFleet'],
      resources: ['image', 'snapshot', 'security-group', 'subnet'].map(
        (r) => `arn:${stack.partition}:ec2:${stack.region}::${r}/*`,
      ),
    }),
    new iam.PolicyStatement({
      sid: 'AllowScopedEC2LaunchTemplateAccessActions',
      actions: ['ec2:RunInstances', 'ec2:CreateFleet'],
      resources: [`arn:${stack.partition}:ec2:${stack.region}:*:launch-template/*`],
      conditions: { StringEquals: { [`aws:ResourceTag/kubernetes.io/cluster/${clusterName}`]: 'owned' } },
    }),
    new iam.PolicyStatement({
      sid: 'AllowScopedEC2InstanceActionsWithTags',
      actions: ['ec2:RunInstances', 'ec2:CreateFleet', 'ec2:CreateLaunchTemplate'],
      resources: ['fleet', 'instance', 'volume', 'network-interface', 'launch-template', 'spot-instances-request'].map(
        (r) => `arn:${stack.partition}:ec2:${stack.region}:*:${r}/*`,
      ),
      conditions: { StringEquals: { [`aws:RequestTag/kubernetes.io/cluster/${clusterName}`]: 'owned' } },
    }),
    new iam.PolicyStatement({
      sid: 'AllowScopedResourceCreationTagging',
      actions: ['ec2:CreateTags'],
      resources: ['fleet', 'instance', 'volume', 'network-interface', 'launch-template', 'spot-instances-request'].map(
        (r) => `arn:${stack.partition}:ec2:${stack.region}:*:${r}/*`,
      ),
      conditions: {
        StringEquals: {
          [`aws:RequestTag/kubernetes.io/cluster/${clusterName}`]: 'owned',
          'ec2:CreateAction': ['RunInstances', 'CreateFleet', 'CreateLaunchTemplate'],
        },
      },
    }),
    new iam.PolicyStatement({
      sid: 'AllowScopedDeletion',
      actions: ['ec2:TerminateInstances', 'ec2:DeleteLaunchTemplate'],
      resources: ['instance', 'launch-template'].map((r) => `arn:${stack.partition}:ec2:${stack.region}:*:${r}/*`),
      conditions: { StringEquals: { [`aws:ResourceTag/kubernetes.io/cluster/${clusterName}`]: 'owned' } },
    }),
    new iam.PolicyStatement({
      sid: 'AllowRegionalReadActions',
      actions: [
        'ec2:DescribeAvailabilityZones',
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
      conditions: regionCondition,
    }),
    new iam.PolicyStatement({
      sid: 'AllowSSMReadActions',
      actions: ['ssm:GetParameter'],
      resources: [`arn:${stack.partition}:ssm:${stack.region}::parameter/aws/service/*`],
    }),
    new iam.PolicyStatement({ sid: 'AllowPricingReadActions', actions: ['pricing:GetProducts'], resources: ['*'] }),
    new iam.PolicyStatement({
      sid: 'AllowInterruptionQueueActions',
      actions: ['sqs:DeleteMessage', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'],
      resources: [queueArn],
    }),
    new iam.PolicyStatement({
      sid: 'AllowPassingInstanceRole',
      actions: ['iam:PassRole'],
      resources: [nodeRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
    }),
    new iam.PolicyStatement({
      sid: 'AllowScopedInstanceProfileActions',
      actions: [
        'iam:CreateInstanceProfile',
        'iam:TagInstanceProfile',
        'iam:AddRoleToInstanceProfile',
        'iam:RemoveRoleFromInstanceProfile',
        'iam:DeleteInstanceProfile',
        'iam:GetInstanceProfile',
      ],
      resources: [`arn:${stack.partition}:iam::${stack.account}:instance-profile/*`],
      conditions: { StringEquals: { [`aws:ResourceTag/kubernetes.io/cluster/${clusterName}`]: 'owned' } },
    }),
    new iam.PolicyStatement({
      sid: 'AllowAPIServerEndpointDiscovery',
      actions: ['eks:DescribeCluster'],
      resources: [clusterArn],
    }),
  ];
}
