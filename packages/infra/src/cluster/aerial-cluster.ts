import { CLUSTER_NAMESPACES, type DeploymentNames, deploymentNames, type EnvironmentName } from '@aerial/contracts';
import { Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { jobControlFindings, jobControlStatements } from '../pipeline/job-control-policy';
import { acknowledge, LAMBDA_BASIC_EXECUTION } from '../nag/acknowledge';
import { appOfApps, argoCdValues } from './argocd';
import { KarpenterInterruption } from './karpenter-interruption';
import { karpenterControllerStatements } from './karpenter-policy';
import { loadBalancerControllerPolicy } from './load-balancer-controller-policy';
import { NodeSecurityGroup } from './node-security-group';
import { bucketStatements, type PodIdentityKey, PodIdentities } from './pod-identities';
import { ADDONS, CHARTS, KUBERNETES_VERSION, kubectlLayer, SYSTEM_TAINT, SYSTEM_TOLERATIONS } from './versions';

export { appOfApps } from './argocd';
export { ADDONS, CHARTS, KUBERNETES_VERSION } from './versions';

/** Helm installs run in a Lambda (15 min limit): leave it room to report. */
const HELM_TIMEOUT = Duration.minutes(12);

export interface AerialClusterProps {
  readonly environmentName: EnvironmentName;
  readonly vpc: ec2.IVpc;
  /** IAM roles given cluster admin (system:masters). @default none */
  readonly adminRoleArns?: readonly string[];
  /** CIDRs that may reach the API server from outside the VPC. @default none: private only */
  readonly publicAccessCidrs?: readonly string[];
  /** Instance type of the (arm64, tainted) system node group. */
  readonly systemInstanceType: string;
  /** Sync automatically with prune and self-heal (dev); manual syncs otherwise. @default false */
  readonly autoSync?: boolean;
}

/**
 * EKS with a small tainted managed node group for system pods and Karpenter (controller role
 * through EKS Pod Identity, node role named for the EC2NodeClass, interruption queue, discovery
 * tags) for everything else; the add-ons the manifests rely on (Pod Identity agent, VPC CNI with
 * network policies, EBS CSI, load balancer controller, metrics-server); a Pod Identity role per
 * service account that calls AWS; and Argo CD bootstrapped with the root Application of this
 * environment's committed manifests. Every name comes from `deploymentNames`.
 */
export class AerialCluster extends Construct {
  readonly names: DeploymentNames;
  readonly cluster: eks.Cluster;
  readonly nodeRole: iam.Role;
  readonly nodeSecurityGroup: ec2.SecurityGroup;
  readonly interruption: KarpenterInterruption;
  readonly podIdentities: PodIdentities;
  readonly addons: Record<keyof typeof ADDONS, eks.CfnAddon>;

  constructor(scope: Construct, id: string, props: AerialClusterProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const names = deploymentNames(props.environmentName);
    this.names = names;
    this.cluster = new eks.Cluster(this, 'Resource', {
      clusterName: names.clusterName,
      version: KUBERNETES_VERSION,
      kubectlLayer: kubectlLayer(this),
      vpc: props.vpc,
      vpcSubnets: [{ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }],
      endpointAccess: props.publicAccessCidrs?.length
        ? eks.EndpointAccess.PUBLIC_AND_PRIVATE.onlyFrom(...props.publicAccessCidrs)
        : eks.EndpointAccess.PRIVATE,
      defaultCapacity: 0,
      clusterLogging: [
        eks.ClusterLoggingTypes.API,
        eks.ClusterLoggingTypes.AUDIT,
        eks.ClusterLoggingTypes.AUTHENTICATOR,
        eks.ClusterLoggingTypes.CONTROLLER_MANAGER,
        eks.ClusterLoggingTypes.SCHEDULER,
      ],
      tags: { [names.discoveryTag.key]: names.discoveryTag.value },
    });
    // arm64 and tainted: only system pods (which all ship multi-arch images) run here; workloads
    // go to Karpenter's amd64 nodes, so amd64-only images never land on an arm64 node.
    const system = this.cluster.addNodegroupCapacity('System', {
      instanceTypes: [new ec2.InstanceType(props.systemInstanceType)],
      minSize: 2,
      maxSize: 3,
      amiType: eks.NodegroupAmiType.AL2023_ARM_64_STANDARD,
      labels: { 'aerial/pool': 'system' },
      taints: [{ key: SYSTEM_TAINT.key, value: SYSTEM_TAINT.value, effect: eks.TaintEffect.NO_SCHEDULE }],
    });
    // Karpenter's nodes: their security group and the private subnets (tagged by AerialNetwork)
    // carry the discovery tag the EC2NodeClass selects by.
    this.nodeSecurityGroup = new NodeSecurityGroup(this, 'NodeSecurityGroup', {
      vpc: props.vpc,
      cluster: this.cluster,
      clusterName: names.clusterName,
      discoveryTag: names.discoveryTag,
    }).securityGroup;

    this.nodeRole = new iam.Role(this, 'KarpenterNodeRole', {
      roleName: names.roles.karpenterNode,
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
    if (props.publicAccessCidrs?.length)
      acknowledge(
        this.cluster,
        `the API server answers outside the VPC only to the CIDRs the operator configured (${props.publicAccessCidrs.join(', ')})`,
        ['AwsSolutions-EKS1'],
      );
    // Only CDK's creation role is admin otherwise: nobody could run kubectl or log in to Argo CD.
    (props.adminRoleArns ?? []).forEach((arn, i) =>
      this.cluster.awsAuth.addMastersRole(iam.Role.fromRoleArn(this, `Admin${i}`, arn, { mutable: false })),
    );
    this.interruption = new KarpenterInterruption(this, 'Interruption', {
      queueName: names.queues.karpenterInterruption,
    });

    this.addons = this.installAddons(system);
    this.podIdentities = new PodIdentities(this, 'PodIdentities', {
      clusterName: this.cluster.clusterName,
      names,
      access: this.podIdentityAccess(stack),
    });
    this.addons.ebsCsi.node.addDependency(this.podIdentities.associations.ebsCsi);

    const karpenter = this.helmChart('Karpenter', 'karpenter', {
      serviceAccount: { name: names.podIdentities.karpenter.serviceAccount },
      settings: { clusterName: names.clusterName, interruptionQueue: this.interruption.queue.queueName },
      tolerations: SYSTEM_TOLERATIONS,
      controller: { resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } } },
    });
    const loadBalancerController = this.helmChart('LoadBalancerController', 'loadBalancerController', {
      clusterName: names.clusterName,
      region: stack.region,
      vpcId: props.vpc.vpcId,
      serviceAccount: { name: names.podIdentities.loadBalancerController.serviceAccount },
      tolerations: SYSTEM_TOLERATIONS,
    });
    for (const [chart, identity] of [
      [karpenter, 'karpenter'],
      [loadBalancerController, 'loadBalancerController'],
    ] as const) {
      // Credentials come from the agent, for the association: both must exist before the pods.
      chart.node.addDependency(this.addons.podIdentityAgent, this.podIdentities.associations[identity]);
    }
    this.helmChart('MetricsServer', 'metricsServer', { tolerations: SYSTEM_TOLERATIONS });

    const argoCd = this.cluster.addHelmChart('ArgoCd', {
      chart: CHARTS.argoCd.chart,
      repository: CHARTS.argoCd.repository,
      version: CHARTS.argoCd.version,
      release: 'argocd',
      namespace: CLUSTER_NAMESPACES.argocd,
      createNamespace: true,
      timeout: HELM_TIMEOUT,
      wait: true,
      values: argoCdValues(),
    });
    argoCd.node.addDependency(system);
    const root = this.cluster.addManifest('AppOfApps', appOfApps(names, props.autoSync ?? false));
    root.node.addDependency(argoCd);
    this.acknowledgeFindings(stack);
  }

  /** EKS managed add-ons, once the system nodes exist to run their controllers. */
  private installAddons(system: eks.Nodegroup): Record<keyof typeof ADDONS, eks.CfnAddon> {
    const addon = (id: string, spec: { name: string; configuration?: Record<string, string> }) => {
      const resource = new eks.CfnAddon(this, id, {
        clusterName: this.cluster.clusterName,
        addonName: spec.name,
        // vpc-cni exists already (EKS installs it self-managed): take it over.
        resolveConflicts: 'OVERWRITE',
        ...(spec.configuration ? { configurationValues: JSON.stringify(spec.configuration) } : {}),
      });
      resource.node.addDependency(system);
      return resource;
    };
    return {
      podIdentityAgent: addon('PodIdentityAgent', ADDONS.podIdentityAgent),
      vpcCni: addon('VpcCni', ADDONS.vpcCni),
      ebsCsi: addon('EbsCsi', ADDONS.ebsCsi),
    };
  }

  /** Least privilege for each service account; buckets by their fixed names (no cross-stack reference). */
  private podIdentityAccess(stack: Stack): Record<PodIdentityKey, (role: iam.Role) => void> {
    const { buckets, secrets } = this.names;
    const s3 = (role: iam.Role, bucket: string, mode: 'read' | 'readWrite') => {
      for (const statement of bucketStatements(stack.partition, bucket, mode)) role.addToPolicy(statement);
    };
    return {
      // Stage pods read uploads, work in the work bucket and publish to the published bucket.
      pipeline: (role) => {
        s3(role, buckets.uploads, 'read');
        s3(role, buckets.work, 'readWrite');
        s3(role, buckets.published, 'readWrite');
      },
      // The Hub stores uploads and reads results; it runs jobs on Argo, or on the Step Functions
      // pipeline when pointed at it (STATE_MACHINE_ARN): start, stop and resume (redrive) them.
      hub: (role) => {
        s3(role, buckets.uploads, 'readWrite');
        s3(role, buckets.work, 'read');
        s3(role, buckets.published, 'read');
        for (const statement of jobControlStatements(stack, this.names.stateMachine)) role.addToPolicy(statement);
      },
      // CloudNativePG's Barman writes base backups and WAL, and prunes by retention.
      postgisBackup: (role) => s3(role, buckets.backups, 'readWrite'),
      externalSecrets: (role) =>
        role.addToPolicy(
          new iam.PolicyStatement({
            actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
            // Secrets Manager appends six random characters to a secret's name in its ARN.
            resources: Object.values(secrets).map(
              (name) => `arn:${stack.partition}:secretsmanager:${stack.region}:${stack.account}:secret:${name}-??????`,
            ),
          }),
        ),
      karpenter: (role) => {
        for (const statement of karpenterControllerStatements({
          stack,
          clusterName: this.names.clusterName,
          clusterArn: this.cluster.clusterArn,
          nodeRoleArn: this.nodeRole.roleArn,
          interruptionQueueArn: this.interruption.queue.queueArn,
        }))
          role.addToPolicy(statement);
      },
      ebsCsi: (role) =>
        role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonEBSCSIDriverPolicy')),
      loadBalancerController: (role) =>
        role.attachInlinePolicy(
          new iam.Policy(role, 'ControllerPolicy', { document: loadBalancerControllerPolicy(stack.partition) }),
        ),
    };
  }

  private helmChart(id: string, chart: keyof typeof CHARTS, values: Record<string, unknown>): eks.HelmChart {
    const spec = CHARTS[chart];
    return this.cluster.addHelmChart(id, {
      chart: spec.chart,
      repository: spec.repository,
      version: spec.version,
      release: spec.chart,
      namespace: CLUSTER_NAMESPACES.system,
      timeout: HELM_TIMEOUT,
      wait: true,
      values,
    });
  }

  private acknowledgeFindings(stack: Stack): void {
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
    const { roles } = this.podIdentities;
    const region = stack.region;
    acknowledge(
      roles.karpenter,
      "Karpenter launches, tags and deletes instances, launch templates and instance profiles it cannot know in advance; each mutating statement is conditioned on the cluster's tags, as in Karpenter's reference policy",
      [
        ...[
          'capacity-reservation',
          'fleet',
          'instance',
          'launch-template',
          'network-interface',
          'security-group',
          'spot-instances-request',
          'subnet',
          'volume',
        ].map((r) => `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:${region}:*:${r}/*]`),
        ...['image', 'snapshot'].map((r) => `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:${region}::${r}/*]`),
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:instance-profile/*]',
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:${region}::parameter/aws/service/*]`,
      ],
    );
    acknowledge(
      roles.loadBalancerController,
      "the load balancer controller's published IAM policy: it creates load balancers, target groups, listeners and security groups at run time, scoped by the elbv2.k8s.aws/cluster tag",
      [
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:*:*:security-group/*]',
        ...[
          'targetgroup/*/*',
          'loadbalancer/net/*/*',
          'loadbalancer/app/*/*',
          'listener/net/*/*/*',
          'listener/app/*/*/*',
          'listener-rule/net/*/*/*',
          'listener-rule/app/*/*/*',
        ].map((r) => `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:elasticloadbalancing:*:*:${r}]`),
      ],
    );
    acknowledge(roles.ebsCsi, 'the EBS CSI driver policy AWS maintains for the add-on', [
      managed('service-role/AmazonEBSCSIDriverPolicy'),
    ]);
    const objects = (...buckets: string[]) =>
      buckets.map((b) => `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${b}/*]`);
    const { buckets } = this.names;
    const reason = 'object keys are per job and per upload; access is to the objects of the named buckets only';
    acknowledge(roles.pipeline, reason, objects(buckets.uploads, buckets.work, buckets.published));
    acknowledge(roles.hub, reason, objects(buckets.uploads, buckets.work, buckets.published));
    acknowledge(
      roles.hub,
      'execution names are job ids, known at run time; access is to the executions of the named state machine only',
      jobControlFindings(stack, this.names.stateMachine),
    );
    acknowledge(
      roles.postgisBackup,
      'base backups and WAL files are named by the backup tool',
      objects(buckets.backups),
    );
    // The rest belongs to the providers aws-eks creates for its custom resources (cluster
    // creation, kubectl); their code and policies are CDK's.
    const clusterName = this.names.clusterName;
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
