import { deploymentNames } from '@aerial/contracts';
import { AERIAL_PIPELINE } from '@aerial/definition';
import { type Environment, Stack, type StackProps, Stage, type StageProps, Tags } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { type Construct } from 'constructs';
import { JobApi } from '../api/job-api';
import { GithubDeployAccess } from '../ci/github-deploy-access';
import { AerialCluster } from '../cluster/aerial-cluster';
import { type InfraConfig } from '../config/infra-config';
import { BudgetGuardrails } from '../cost/budget-guardrails';
import { AerialBuckets } from '../data/aerial-buckets';
import { PlatformSecrets } from '../data/platform-secrets';
import { AerialNetwork } from '../network/aerial-network';
import { TopicKey } from '../observability/alert-topic';
import { AerialObservability } from '../observability/aerial-observability';
import { AerialPipeline } from '../pipeline/aerial-pipeline';
import { BatchCompute } from '../pipeline/batch-compute';
import { JobMail } from '../pipeline/job-mail';
import { acknowledge } from '../nag/acknowledge';
import { acknowledgeEnvironmentFindings } from '../nag/acknowledgements';

export interface AerialEnvironmentProps extends StageProps {
  readonly config: InfraConfig;
  /** Tag of the stage container images (on PLATFORM.imageRegistry) to deploy. */
  readonly imageTag: string;
}

const RETENTION: Record<number, logs.RetentionDays> = {
  30: logs.RetentionDays.ONE_MONTH,
  60: logs.RetentionDays.TWO_MONTHS,
  90: logs.RetentionDays.THREE_MONTHS,
  180: logs.RetentionDays.SIX_MONTHS,
  365: logs.RetentionDays.ONE_YEAR,
};

/**
 * One environment (dev, staging or prod) as a CDK stage: network, data, pipeline (with API and
 * cost guardrails), cluster, observability and CI access stacks, all from the typed config.
 */
export class AerialEnvironment extends Stage {
  readonly network: Stack;
  readonly data: Stack;
  readonly pipeline: Stack;
  readonly cluster: Stack;
  readonly observability: Stack;
  readonly ciAccess: Stack;
  readonly pipelineConstruct: AerialPipeline;
  readonly secrets: PlatformSecrets;

  constructor(scope: Construct, id: string, props: AerialEnvironmentProps) {
    super(scope, id, props);
    const { environment, settings } = props.config;
    const env: Environment = { account: environment.account, region: environment.region };
    const names = deploymentNames(environment.name);
    const production = environment.protection.deletionProtection;
    const logRetention = RETENTION[settings.logRetentionDays] as logs.RetentionDays;
    const stackProps = (description: string): StackProps => ({
      env,
      description: `Aerial Platform ${environment.name}: ${description}`,
      terminationProtection: production,
    });

    this.network = new Stack(this, 'Network', stackProps('VPC, endpoints, flow logs'));
    const network = new AerialNetwork(this.network, 'Network', {
      natGateways: settings.natGateways,
      maxAzs: settings.maxAzs,
      availabilityZones: ['a', 'b', 'c'].map((zone) => `${environment.region}${zone}`),
      flowLogRetention: logRetention,
    });

    // The tile database runs in the cluster (CloudNativePG, backed up to the backups bucket, see
    // packages/kubernetes data chart), beside the Hub that is its only client; this stack holds
    // the secrets it and the broker are bootstrapped with.
    this.data = new Stack(this, 'Data', stackProps('the secrets of the in-cluster PostGIS, broker and Hub'));
    this.secrets = new PlatformSecrets(this.data, 'Secrets', { environmentName: environment.name, retain: production });

    // The buckets live with the pipeline that grants access to them, so that grants stay in one
    // template (and cdk-nag can name what they cover).
    this.pipeline = new Stack(this, 'Pipeline', stackProps('buckets, Step Functions, Batch, job API, job mail'));
    const { compute, pipeline, api } = pipelineResources(this.pipeline, props, network, logRetention);
    this.pipelineConstruct = pipeline;

    this.cluster = new Stack(this, 'Cluster', stackProps('EKS, Karpenter, Argo CD'));
    const cluster = new AerialCluster(this.cluster, 'Cluster', {
      environmentName: environment.name,
      vpc: network.vpc,
      systemInstanceType: settings.cluster.nodeInstanceType,
      adminRoleArns: settings.cluster.adminRoleArns,
      publicAccessCidrs: settings.cluster.publicAccessCidrs,
      autoSync: environment.name === 'dev',
    });
    network.tagClusterSubnets(cluster.names.clusterName, cluster.names.discoveryTag);

    this.observability = new Stack(this, 'Observability', stackProps('dashboard, alarms, budget'));
    monitoring(this.observability, props, { pipeline, compute, api, logRetention });

    this.ciAccess = new Stack(this, 'CiAccess', stackProps('GitHub Actions deploy role (OIDC)'));
    new GithubDeployAccess(this.ciAccess, 'GithubDeploy', {
      owner: settings.github.owner,
      repo: settings.github.repo,
      environmentName: environment.name,
      roleName: names.roles.githubDeploy,
      createProvider: settings.github.oidcProvider === 'create',
    });

    for (const stack of [this.network, this.data, this.pipeline, this.cluster, this.observability, this.ciAccess])
      tagStack(stack, environment.name);
    acknowledgeEnvironmentFindings(this);
  }
}

/** Buckets, job notifications and mail, Batch compute, the job state machine and the job API, in the pipeline stack. */
function pipelineResources(
  stack: Stack,
  props: AerialEnvironmentProps,
  network: AerialNetwork,
  logRetention: logs.RetentionDays,
): { compute: BatchCompute; pipeline: AerialPipeline; api: JobApi } {
  const { environment, settings } = props.config;
  const names = deploymentNames(environment.name);
  const prefix = names.prefix;
  const production = environment.protection.deletionProtection;
  const buckets = new AerialBuckets(stack, 'Buckets', {
    names: names.buckets,
    workDays: environment.retention.workDays,
    uploadsDays: environment.retention.uploadsDays,
    publishedDays: environment.retention.publishedDays,
    retain: production,
  });
  const notificationKey = new TopicKey(stack, 'NotificationKey', {
    description: `Aerial ${environment.name}: job notifications topic`,
    services: [],
  });
  const notifications = new sns.Topic(stack, 'JobNotifications', {
    topicName: names.topics.jobNotifications,
    masterKey: notificationKey.key,
    enforceSSL: true,
  });
  const mail = new JobMail(stack, 'Mail', { domain: settings.mailDomain });
  const webhookSecret = new secretsmanager.Secret(stack, 'WebhookSecret', {
    description: `Aerial ${environment.name}: signs job webhooks (x-aerial-signature, HMAC-SHA256)`,
    generateSecretString: { passwordLength: 48, excludePunctuation: true },
  });
  acknowledge(
    webhookSecret,
    'receivers verify signatures with this value; rotating it means telling every receiver, so operators rotate it by the runbook',
    ['AwsSolutions-SMG4'],
  );
  const compute = new BatchCompute(stack, 'Compute', {
    vpc: network.vpc,
    namePrefix: prefix,
    ...settings.batch,
  });
  const pipeline = new AerialPipeline(stack, 'Pipeline', {
    environment,
    buckets,
    compute,
    imageTag: props.imageTag,
    logRetention,
    notifications,
    mail,
    webhookSecret,
  });
  const api = new JobApi(stack, 'JobApi', {
    pipeline,
    uploads: buckets.uploads,
    namePrefix: prefix,
    logRetention,
  });
  return { compute, pipeline, api };
}

/** Dashboard, alarms and the budget's guardrails, in the observability stack. */
function monitoring(
  stack: Stack,
  props: AerialEnvironmentProps,
  watched: { pipeline: AerialPipeline; compute: BatchCompute; api: JobApi; logRetention: logs.RetentionDays },
): void {
  const { environment, settings } = props.config;
  const prefix = deploymentNames(environment.name).prefix;
  const { pipeline, compute, api, logRetention } = watched;
  const observability = new AerialObservability(stack, 'Observability', {
    namePrefix: prefix,
    environmentName: environment.name,
    stateMachine: pipeline.stateMachine,
    functions: [...Object.values(pipeline.functions), api.startJob.function],
    api: api.api,
    stages: AERIAL_PIPELINE.stages.map((s) => s.name),
    alertEmails: settings.alertEmails,
    jobQueueArns: [...Object.values(compute.cpuQueues), ...Object.values(compute.gpuQueues)].map((q) => q.jobQueueArn),
    logRetention,
    ...(pipeline.notifyDeadLetters ? { notifyDeadLetters: pipeline.notifyDeadLetters } : {}),
  });
  new BudgetGuardrails(stack, 'Budget', {
    namePrefix: prefix,
    monthlyUsd: environment.budget.monthlyUsd,
    alertTopic: observability.warning,
    alertEmails: environment.budget.alertEmails,
    computeEnvironments: compute.computeEnvironments,
    logRetention,
  });
}

function tagStack(stack: Stack, environmentName: string): void {
  // CloudFormation takes no Tags on a dashboard (cfn-lint E3002), though the L1 offers them.
  const untaggable = { excludeResourceTypes: ['AWS::CloudWatch::Dashboard'] };
  Tags.of(stack).add('aerial:environment', environmentName, untaggable);
  Tags.of(stack).add('aerial:managed-by', 'cdk', untaggable);
}
