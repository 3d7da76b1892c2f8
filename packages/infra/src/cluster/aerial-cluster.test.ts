import { CLUSTER_NAMESPACES, deploymentNames, type EnvironmentName, PLATFORM } from '@aerial/contracts';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AerialNetwork } from '../network/aerial-network';
import { AerialCluster, type AerialClusterProps, appOfApps } from './aerial-cluster';
import { APPLICATION_HEALTH_LUA, ROOT_INCLUDE } from './argocd';
import { ADDONS, CHARTS, SYSTEM_TAINT } from './versions';

/** The network and cluster stacks of one environment, synthesized with cdk-nag (which throws on an unacknowledged finding). */
function synth(
  environment: EnvironmentName,
  access: Pick<AerialClusterProps, 'adminRoleArns' | 'publicAccessCidrs'> = {},
) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  const env = { region: 'eu-west-2' };
  const networkStack = new Stack(app, 'Network', { env });
  const network = new AerialNetwork(networkStack, 'Network', { availabilityZones: ['eu-west-2a', 'eu-west-2b'] });
  const clusterStack = new Stack(app, 'Cluster', { env });
  const cluster = new AerialCluster(clusterStack, 'Cluster', {
    environmentName: environment,
    vpc: network.vpc,
    systemInstanceType: 'm7g.large',
    autoSync: environment === 'dev',
    ...access,
  });
  network.tagClusterSubnets(cluster.names.clusterName, cluster.names.discoveryTag);
  app.synth();
  return { network: Template.fromStack(networkStack), cluster: Template.fromStack(clusterStack), construct: cluster };
}

const names = deploymentNames('dev');
const { network, cluster: t, construct } = synth('dev');
const REPO_ROOT = join(__dirname, '..', '..', '..', '..');

interface Statement {
  Sid?: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/** Statements of the inline policies attached to the role named `roleName`. */
function statementsOf(roleName: string): Statement[] {
  const roles = t.findResources('AWS::IAM::Role', { Properties: { RoleName: roleName } });
  const [logicalId] = Object.keys(roles);
  expect(logicalId).toBeDefined();
  return Object.values(t.findResources('AWS::IAM::Policy'))
    .map((p) => p.Properties as { Roles: { Ref: string }[]; PolicyDocument: { Statement: Statement[] } })
    .filter((p) => p.Roles.some((r) => r.Ref === logicalId))
    .flatMap((p) => p.PolicyDocument.Statement);
}

function helmValues(chart: string): string {
  const charts = t.findResources('Custom::AWSCDK-EKS-HelmChart', { Properties: { Chart: chart } });
  const [resource] = Object.values(charts);
  expect(resource).toBeDefined();
  return JSON.stringify((resource!.Properties as { Values: unknown }).Values);
}

describe('Karpenter can launch a node', () => {
  test('the node role has the name the EC2NodeClass uses, and an instance profile', () => {
    t.hasResourceProperties('AWS::IAM::Role', {
      RoleName: names.roles.karpenterNode,
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 'ec2.amazonaws.com' } })],
      }),
    });
    const [nodeRole] = Object.keys(
      t.findResources('AWS::IAM::Role', { Properties: { RoleName: names.roles.karpenterNode } }),
    );
    t.hasResourceProperties('AWS::IAM::InstanceProfile', { Roles: [{ Ref: nodeRole }] });
  });

  test("the controller policy is Karpenter v1's reference policy, statement for statement", () => {
    const statements = statementsOf(names.podIdentities.karpenter.roleName);
    expect(statements.map((s) => s.Sid)).toEqual([
      'AllowScopedEC2InstanceAccessActions',
      'AllowScopedEC2LaunchTemplateAccessActions',
      'AllowScopedEC2InstanceActionsWithTags',
      'AllowScopedResourceCreationTagging',
      'AllowScopedResourceTagging',
      'AllowScopedDeletion',
      'AllowRegionalReadActions',
      'AllowSSMReadActions',
      'AllowPricingReadActions',
      'AllowInterruptionQueueActions',
      'AllowPassingInstanceRole',
      'AllowScopedInstanceProfileCreationActions',
      'AllowScopedInstanceProfileTagActions',
      'AllowScopedInstanceProfileActions',
      'AllowInstanceProfileReadActions',
      'AllowUnscopedInstanceProfileListAction',
      'AllowAPIServerEndpointDiscovery',
    ]);
    // Capacity reservations (launch into and describe them), as the current reference has it.
    expect(JSON.stringify(statements)).toContain('capacity-reservation/*');
    expect(JSON.stringify(statements)).toContain('ec2:DescribeCapacityReservations');
    const bySid = (sid: string) => statements.find((s) => s.Sid === sid)!;
    // A profile being created has no tags: only request tags can scope its creation.
    const create = bySid('AllowScopedInstanceProfileCreationActions');
    expect(create.Action).toBe('iam:CreateInstanceProfile');
    const createKeys = Object.values(create.Condition!).flatMap((c) => Object.keys(c));
    expect(createKeys.length).toBeGreaterThan(0);
    for (const key of createKeys) expect(key).toMatch(/^aws:RequestTag\//);
    expect(create.Condition!.StringEquals).toMatchObject({
      [`aws:RequestTag/kubernetes.io/cluster/${names.clusterName}`]: 'owned',
      'aws:RequestTag/eks:eks-cluster-name': names.clusterName,
    });
    const tag = bySid('AllowScopedInstanceProfileTagActions');
    expect(tag.Action).toBe('iam:TagInstanceProfile');
    expect(Object.keys(tag.Condition!.StringEquals!)).toEqual(
      expect.arrayContaining([
        `aws:ResourceTag/kubernetes.io/cluster/${names.clusterName}`,
        `aws:RequestTag/kubernetes.io/cluster/${names.clusterName}`,
      ]),
    );
    const read = bySid('AllowInstanceProfileReadActions');
    expect(read.Action).toBe('iam:GetInstanceProfile');
    expect(read.Condition).toBeUndefined();
    // Security groups and subnets have the account in their ARN.
    expect(JSON.stringify(bySid('AllowScopedEC2InstanceAccessActions').Resource)).toContain(':*:security-group/*');
    expect(JSON.stringify(bySid('AllowScopedEC2InstanceAccessActions').Resource)).toContain(':*:subnet/*');
  });

  test('the private subnets and the node security group carry the discovery tag', () => {
    const subnets = Object.values(network.findResources('AWS::EC2::Subnet')).map(
      (s) => (s.Properties as { Tags: { Key: string; Value: string }[] }).Tags,
    );
    const discovered = subnets.filter((tags) =>
      tags.some((tag) => tag.Key === names.discoveryTag.key && tag.Value === names.discoveryTag.value),
    );
    expect(discovered).toHaveLength(2);
    for (const tags of discovered) {
      expect(tags).toContainEqual({ Key: 'aws-cdk:subnet-type', Value: 'Private' });
      expect(tags).toContainEqual({ Key: 'kubernetes.io/role/internal-elb', Value: '1' });
    }
    const groups = Object.values(t.findResources('AWS::EC2::SecurityGroup')).filter((g) =>
      ((g.Properties as { Tags?: { Key: string; Value: string }[] }).Tags ?? []).some(
        (tag) => tag.Key === names.discoveryTag.key && tag.Value === names.discoveryTag.value,
      ),
    );
    expect(groups).toHaveLength(1);
    expect((groups[0]!.Properties as { Tags: unknown[] }).Tags).toContainEqual({
      Key: `kubernetes.io/cluster/${names.clusterName}`,
      Value: 'owned',
    });
    // Both ways with the cluster security group (control plane, system nodes), and node to node.
    const [group] = Object.keys(
      t.findResources('AWS::EC2::SecurityGroup', {
        Properties: { Tags: Match.arrayWith([{ Key: names.discoveryTag.key, Value: names.discoveryTag.value }]) },
      }),
    );
    const clusterGroup = { 'Fn::GetAtt': [Match.stringLikeRegexp('^Cluster'), 'ClusterSecurityGroupId'] };
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [group, 'GroupId'] },
      SourceSecurityGroupId: clusterGroup,
      IpProtocol: '-1',
    });
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: clusterGroup,
      SourceSecurityGroupId: { 'Fn::GetAtt': [group, 'GroupId'] },
      IpProtocol: '-1',
    });
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [group, 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [group, 'GroupId'] },
      IpProtocol: '-1',
    });
  });

  test('Karpenter runs on the system nodes with its Pod Identity and interruption queue', () => {
    const values = helmValues(CHARTS.karpenter.chart);
    expect(values).toContain(`\\"serviceAccount\\":{\\"name\\":\\"${names.podIdentities.karpenter.serviceAccount}\\"}`);
    expect(values).toContain(`\\"clusterName\\":\\"${names.clusterName}\\"`);
    expect(values).toContain(`\\"key\\":\\"${SYSTEM_TAINT.key}\\"`);
    t.hasResourceProperties('AWS::SQS::Queue', { QueueName: names.queues.karpenterInterruption });
  });
});

describe('Kubernetes version and pinned charts', () => {
  test('EKS 1.36 with a private endpoint; every chart at the version of the one constant', () => {
    t.hasResourceProperties('Custom::AWSCDK-EKS-Cluster', {
      Config: Match.objectLike({
        version: '1.36',
        resourcesVpcConfig: Match.objectLike({ endpointPublicAccess: false, endpointPrivateAccess: true }),
      }),
    });
    for (const chart of Object.values(CHARTS)) {
      t.hasResourceProperties('Custom::AWSCDK-EKS-HelmChart', {
        Chart: chart.chart,
        Repository: chart.repository,
        Version: chart.version,
      });
    }
  });

  test('system nodes are tainted CriticalAddonsOnly; every chart the stacks install tolerates it', () => {
    t.hasResourceProperties('AWS::EKS::Nodegroup', {
      AmiType: 'AL2023_ARM_64_STANDARD',
      Taints: [{ Key: SYSTEM_TAINT.key, Value: SYSTEM_TAINT.value, Effect: 'NO_SCHEDULE' }],
    });
    for (const chart of Object.values(CHARTS)) {
      expect({
        chart: chart.chart,
        tolerates: helmValues(chart.chart).includes(`\\"key\\":\\"${SYSTEM_TAINT.key}\\"`),
      }).toEqual({
        chart: chart.chart,
        tolerates: true,
      });
    }
  });
});

describe('add-ons', () => {
  test('Pod Identity agent, VPC CNI enforcing network policies and EBS CSI are EKS managed add-ons', () => {
    for (const addon of Object.values(ADDONS)) t.hasResourceProperties('AWS::EKS::Addon', { AddonName: addon.name });
    t.hasResourceProperties('AWS::EKS::Addon', {
      AddonName: 'vpc-cni',
      ConfigurationValues: JSON.stringify({ enableNetworkPolicy: 'true' }),
    });
  });

  test('the load balancer controller runs as its Pod Identity, with the published policy', () => {
    const values = helmValues(CHARTS.loadBalancerController.chart);
    expect(values).toContain(
      `\\"serviceAccount\\":{\\"name\\":\\"${names.podIdentities.loadBalancerController.serviceAccount}\\"}`,
    );
    const actions = statementsOf(names.podIdentities.loadBalancerController.roleName).flatMap((s) => [s.Action].flat());
    expect(actions).toEqual(
      expect.arrayContaining(['elasticloadbalancing:CreateLoadBalancer', 'ec2:CreateSecurityGroup']),
    );
  });
});

describe('Pod Identity', () => {
  test('every service account of deploymentNames has an association with a role of its fixed name', () => {
    const associations = Object.values(t.findResources('AWS::EKS::PodIdentityAssociation')).map(
      (a) => a.Properties as { Namespace: string; ServiceAccount: string; RoleArn: { 'Fn::GetAtt': [string, string] } },
    );
    expect(associations).toHaveLength(Object.keys(names.podIdentities).length);
    for (const identity of Object.values(names.podIdentities)) {
      const association = associations.find(
        (a) => a.Namespace === identity.namespace && a.ServiceAccount === identity.serviceAccount,
      );
      expect(association).toBeDefined();
      const role = t.toJSON().Resources[association!.RoleArn['Fn::GetAtt'][0]] as {
        Properties: { RoleName: string; AssumeRolePolicyDocument: unknown };
      };
      expect(role.Properties.RoleName).toBe(identity.roleName);
      expect(role.Properties.AssumeRolePolicyDocument).toMatchObject({
        Statement: [
          {
            Action: ['sts:AssumeRole', 'sts:TagSession'],
            Principal: { Service: 'pods.eks.amazonaws.com' },
            Condition: {
              StringEquals: {
                'aws:SourceAccount': { Ref: 'AWS::AccountId' },
                'aws:RequestTag/eks-cluster-name': names.clusterName,
                'aws:RequestTag/kubernetes-namespace': identity.namespace,
                'aws:RequestTag/kubernetes-service-account': identity.serviceAccount,
              },
            },
          },
        ],
      });
    }
  });

  test('least privilege: object access to the named buckets only, secrets of the environment only, no wildcard actions', () => {
    const s3 = (roleName: string) =>
      statementsOf(roleName)
        .filter((s) => JSON.stringify(s.Resource).includes(':s3:::'))
        .map((s) => ({ actions: [s.Action].flat(), resource: JSON.stringify(s.Resource) }));
    const writes = (roleName: string, bucket: string) =>
      s3(roleName).some((s) => s.resource.includes(`${bucket}/*`) && s.actions.includes('s3:PutObject'));
    const reads = (roleName: string, bucket: string) =>
      s3(roleName).some((s) => s.resource.includes(`${bucket}/*`) && s.actions.includes('s3:GetObject'));
    const { pipeline, hub, postgisBackup, externalSecrets } = names.podIdentities;
    expect([writes(pipeline.roleName, names.buckets.work), writes(pipeline.roleName, names.buckets.published)]).toEqual(
      [true, true],
    );
    expect([reads(pipeline.roleName, names.buckets.uploads), writes(pipeline.roleName, names.buckets.uploads)]).toEqual(
      [true, false],
    );
    expect([writes(hub.roleName, names.buckets.uploads), writes(hub.roleName, names.buckets.work)]).toEqual([
      true,
      false,
    ]);
    expect(writes(postgisBackup.roleName, names.buckets.backups)).toBe(true);
    expect(s3(postgisBackup.roleName).every((s) => s.resource.includes(names.buckets.backups))).toBe(true);
    const secrets = statementsOf(externalSecrets.roleName);
    expect(secrets.flatMap((s) => [s.Action].flat()).sort()).toEqual([
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetSecretValue',
    ]);
    for (const name of Object.values(names.secrets))
      expect(JSON.stringify(secrets)).toContain(`:secret:${name}-??????`);
    for (const key of ['pipeline', 'hub', 'postgisBackup', 'externalSecrets'] as const) {
      for (const s of statementsOf(names.podIdentities[key].roleName)) {
        for (const action of [s.Action].flat()) expect(action).not.toMatch(/\*/);
        expect(s.Resource).not.toBe('*');
      }
    }
  });
});

describe('the Hub on Step Functions', () => {
  test('GIVEN the Hub pointed at the pipeline THEN its role may start, stop and resume (redrive) its executions, and no other', () => {
    const statements = statementsOf(names.podIdentities.hub.roleName).filter((s) =>
      [s.Action].flat().some((a) => a.startsWith('states:')),
    );
    const executions = statements.find((s) => [s.Action].flat().includes('states:RedriveExecution'));
    expect([executions?.Action].flat().sort()).toEqual([
      'states:DescribeExecution',
      'states:GetExecutionHistory',
      'states:RedriveExecution',
      'states:StopExecution',
    ]);
    expect(JSON.stringify(executions?.Resource)).toContain(`:execution:${names.stateMachine}:*`);
    const machine = statements.find((s) => [s.Action].flat().includes('states:StartExecution'));
    expect(JSON.stringify(machine?.Resource)).toContain(`:stateMachine:${names.stateMachine}"`);
    expect(statements).toHaveLength(2);
  });
});

describe('Argo CD', () => {
  test('the root Application syncs only apps.k8s.yaml of the committed manifests at main', () => {
    const deployed = Object.values(t.findResources('Custom::AWSCDK-EKS-KubernetesResource'))
      .map((r) => (r.Properties as { Manifest: unknown }).Manifest)
      .filter((m): m is string => typeof m === 'string')
      .flatMap((m) => JSON.parse(m) as { kind: string; spec?: unknown }[])
      .filter((m) => m.kind === 'Application');
    const root = appOfApps(names, true);
    expect(deployed).toHaveLength(1);
    expect(deployed[0]!.spec).toEqual(root.spec);
    expect(root).toMatchObject({
      metadata: { name: `aerial-dev`, namespace: CLUSTER_NAMESPACES.argocd },
      spec: {
        source: {
          repoURL: PLATFORM.gitRepoUrl,
          targetRevision: 'main',
          path: names.gitops.path,
          directory: { include: ROOT_INCLUDE },
        },
        syncPolicy: { automated: { prune: true, selfHeal: true } },
      },
    });
    expect(existsSync(join(REPO_ROOT, names.gitops.path, ROOT_INCLUDE))).toBe(true);
    expect(appOfApps(deploymentNames('prod'), false).spec).not.toHaveProperty('syncPolicy.automated');
  });

  test("Argo CD restores the Application health check, so the parent waits for its children's sync waves", () => {
    const values = helmValues(CHARTS.argoCd.chart);
    expect(values).toContain('resource.customizations.health.argoproj.io_Application');
    expect(values).toContain(JSON.stringify(JSON.stringify(APPLICATION_HEALTH_LUA)).slice(3, -3));
    expect(values).toContain('\\"dex\\":{\\"enabled\\":false}');
  });

  test('the construct exposes every name it was built from', () => {
    expect(construct.names).toEqual(names);
  });
});

describe('who can reach the cluster', () => {
  test('by default: the API server is private and only the creation role is admin', () => {
    t.hasResourceProperties('Custom::AWSCDK-EKS-Cluster', {
      Config: Match.objectLike({ resourcesVpcConfig: Match.objectLike({ endpointPublicAccess: false }) }),
    });
    expect(JSON.stringify(t.findResources('Custom::AWSCDK-EKS-KubernetesResource'))).not.toContain('system:masters');
  });

  test('operators named at deployment are admins, and the endpoint opens only to the CIDRs given', () => {
    const { cluster } = synth('dev', {
      adminRoleArns: ['arn:aws:iam::000000000000:role/platform-admin'],
      publicAccessCidrs: ['203.0.113.0/24'],
    });
    cluster.hasResourceProperties('Custom::AWSCDK-EKS-Cluster', {
      Config: Match.objectLike({
        resourcesVpcConfig: Match.objectLike({ endpointPublicAccess: true, publicAccessCidrs: ['203.0.113.0/24'] }),
      }),
    });
    const awsAuth = JSON.stringify(cluster.findResources('Custom::AWSCDK-EKS-KubernetesResource'));
    expect(awsAuth).toContain('platform-admin');
    expect(awsAuth).toContain('system:masters');
  });
});
