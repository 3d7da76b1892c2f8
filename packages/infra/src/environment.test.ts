import { DEFAULT_ENVIRONMENTS, deploymentNames, ENVIRONMENT_NAMES, PLATFORM } from '@aerial/contracts';
import { AERIAL_PIPELINE, renderAsl } from '@aerial/definition';
import { Match } from 'aws-cdk-lib/assertions';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CHARTS, KUBERNETES_VERSION } from './cluster/aerial-cluster';
import { INTERRUPTION_EVENT_PATTERNS } from './cluster/karpenter-interruption';
import { infraConfig } from './config/infra-config';
import { fixedMonthlyCost, INTERFACE_ENDPOINTS } from './cost/fixed-cost';
import { AERIAL_ALARMS } from './observability/alarms';
import { NOTIFY_ENVIRONMENT, STAGE_ENVIRONMENT } from './lambda/lambda-environment';
import { deployedDefinition, UNNOTIFIED_END_STATUSES } from './pipeline/aerial-pipeline';
import { longestPathSeconds } from '@aerial/definition';
import { synthApp } from './test-support/synth';

const { template } = synthApp();
const containerStages = AERIAL_PIPELINE.stages.filter((s) => s.kind === 'container');
const functionStages = AERIAL_PIPELINE.stages.filter((s) => s.kind === 'function');
/** Actions AWS offers no resource-level permission for; the only ones allowed on "*". */
const RESOURCELESS_ACTIONS = [
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'batch:DescribeJobs',
  'batch:TerminateJob',
  'batch:ListJobs',
  'ce:GetCostAndUsage',
  'batch:DescribeComputeEnvironments',
  'ecr:GetAuthorizationToken',
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
];

describe('network', () => {
  test('GIVEN dev and prod THEN prod has a NAT gateway per AZ, dev shares one; flow logs capture all traffic', () => {
    template('dev', 'network').resourceCountIs('AWS::EC2::NatGateway', 1);
    template('prod', 'network').resourceCountIs('AWS::EC2::NatGateway', 3);
    template('dev', 'network').hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL' });
  });

  test('S3, ECR, Logs and STS are reached through VPC endpoints', () => {
    const endpoints = template('dev', 'network').findResources('AWS::EC2::VPCEndpoint');
    const services = Object.values(endpoints).map((e) =>
      JSON.stringify((e.Properties as { ServiceName: unknown }).ServiceName),
    );
    for (const service of ['.s3', 'ecr.api', 'ecr.dkr', '.logs', '.sts'])
      expect(services.some((s) => s.includes(service))).toBe(true);
  });
});

describe('data', () => {
  test('four logged, encrypted, TLS-only, private, versioned buckets with their shared names, plus the access-log bucket', () => {
    const t = template('dev', 'pipeline');
    t.resourceCountIs('AWS::S3::Bucket', 5);
    t.allResourcesProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    for (const bucketName of Object.values(deploymentNames('dev').buckets))
      t.hasResourceProperties('AWS::S3::Bucket', { BucketName: bucketName });
    const policies = t.findResources('AWS::S3::BucketPolicy');
    const denyInsecure = Object.values(policies).filter((p) =>
      JSON.stringify(p).includes('"aws:SecureTransport":"false"'),
    );
    expect(denyInsecure).toHaveLength(5);
    t.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: { EventBridgeConfiguration: {} },
    });
    expect(
      Object.values(t.findResources('AWS::S3::Bucket')).filter((b) =>
        JSON.stringify(b).includes('"VersioningConfiguration":{"Status":"Enabled"}'),
      ),
    ).toHaveLength(4);
    t.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ Prefix: 'jobs/', ExpirationInDays: 3 })]) },
    });
  });

  test('prod keeps its data: buckets retained (the PostGIS backups among them); dev does not; no idle RDS', () => {
    template('prod', 'pipeline').hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain' });
    template('dev', 'pipeline').hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
    // The tile database is the in-cluster PostGIS (CloudNativePG), next to its only client, the Hub.
    for (const stack of ['data', 'pipeline', 'cluster'] as const)
      template('prod', stack).resourceCountIs('AWS::RDS::DBInstance', 0);
  });

  test('the secrets the manifests read exist under their names, with the properties they read', () => {
    const names = deploymentNames('dev').secrets;
    const t = template('dev', 'data');
    t.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: names.postgis,
      GenerateSecretString: Match.objectLike({
        SecretStringTemplate: JSON.stringify({ username: 'aerial' }),
        GenerateStringKey: 'password',
      }),
    });
    t.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: names.mqtt,
      GenerateSecretString: Match.objectLike({
        SecretStringTemplate: JSON.stringify({ hub: '', engine: '' }),
        GenerateStringKey: 'hubPassword',
      }),
    });
    const hub = Object.values(t.findResources('AWS::SecretsManager::Secret', { Properties: { Name: names.hub } }));
    expect(hub).toHaveLength(1);
    const value = JSON.stringify(hub[0]);
    // Composed by CloudFormation from the generated secrets: no value sits in the template.
    expect(value).toContain('databaseUrl');
    expect(value).toContain('@postgis-rw.aerial-data.svc:5432/aerial');
    expect(value).toContain('mqttUrl');
    expect(value).toContain(':SecretString:password::}}');
    expect(value).toContain(':SecretString:hubPassword::}}');
  });
});

describe('pipeline', () => {
  test('one Batch job definition per container stage, with its resources, retry on exit 75 and timeout', () => {
    const t = template('dev', 'pipeline');
    t.resourceCountIs('AWS::Batch::JobDefinition', containerStages.length);
    for (const stage of containerStages) {
      t.hasResourceProperties('AWS::Batch::JobDefinition', {
        JobDefinitionName: `aerial-dev-${stage.name}`,
        RetryStrategy: {
          Attempts: stage.retry.attempts,
          EvaluateOnExit: Match.arrayWith([
            Match.objectLike({ Action: 'RETRY', OnExitCode: '75' }),
            Match.objectLike({ Action: 'EXIT', OnExitCode: '*' }),
          ]),
        },
        Timeout: { AttemptDurationSeconds: stage.timeoutSeconds },
        ContainerProperties: Match.objectLike({ ReadonlyRootFilesystem: true }),
      });
      const requirements = [
        { Type: 'VCPU', Value: String(stage.resources.vcpu) },
        { Type: 'MEMORY', Value: String(stage.resources.memoryMiB) },
        ...(stage.resources.gpu ? [{ Type: 'GPU', Value: String(stage.resources.gpu) }] : []),
      ];
      for (const requirement of requirements) {
        t.hasResourceProperties('AWS::Batch::JobDefinition', {
          JobDefinitionName: `aerial-dev-${stage.name}`,
          ContainerProperties: Match.objectLike({ ResourceRequirements: Match.arrayWith([requirement]) }),
        });
      }
    }
  });

  test('compute costs nothing idle: min vCPUs 0, spot first, on-demand GPU fallback at lower order', () => {
    const t = template('dev', 'pipeline');
    t.resourceCountIs('AWS::Batch::ComputeEnvironment', 4);
    t.allResourcesProperties('AWS::Batch::ComputeEnvironment', { ComputeResources: Match.objectLike({ MinvCpus: 0 }) });
    t.hasResourceProperties('AWS::Batch::ComputeEnvironment', {
      ComputeResources: Match.objectLike({ Type: 'SPOT', InstanceTypes: ['g5', 'g6'] }),
    });
    t.hasResourceProperties('AWS::Batch::ComputeEnvironment', {
      ComputeResources: Match.objectLike({ Type: 'EC2', InstanceTypes: ['g5', 'g6'] }),
    });
    t.resourceCountIs('AWS::Batch::JobQueue', 6);
    for (const [name, priority] of [
      ['aerial-dev-high', 100],
      ['aerial-dev-normal', 50],
      ['aerial-dev-low', 10],
      ['aerial-dev-gpu-normal', 50],
    ] as const) {
      t.hasResourceProperties('AWS::Batch::JobQueue', {
        JobQueueName: name,
        Priority: priority,
        ComputeEnvironmentOrder: [Match.objectLike({ Order: 1 }), Match.objectLike({ Order: 2 })],
        JobStateTimeLimitActions: Match.arrayWith([
          Match.objectLike({ Reason: 'CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY', State: 'RUNNABLE', Action: 'CANCEL' }),
        ]),
      });
    }
  });

  test('job definitions run the released images from the public registry; no ECR repository', () => {
    const t = template('dev', 'pipeline');
    t.resourceCountIs('AWS::ECR::Repository', 0);
    for (const stage of containerStages) {
      t.hasResourceProperties('AWS::Batch::JobDefinition', {
        JobDefinitionName: `aerial-dev-${stage.name}`,
        ContainerProperties: Match.objectLike({
          Image: Match.stringLikeRegexp(`^${PLATFORM.imageRegistry}/${stage.image}:`),
        }),
      });
    }
  });

  test('only Publish writes the published bucket, and it is told where it is', () => {
    const t = template('dev', 'pipeline');
    const publishedBucket = Object.entries(t.findResources('AWS::S3::Bucket')).find(
      ([, b]) => (b.Properties as { BucketName?: string }).BucketName === deploymentNames('dev').buckets.published,
    )![0];
    const definitions = Object.values(t.findResources('AWS::Batch::JobDefinition'));
    const withPublished = definitions.filter((d) => JSON.stringify(d).includes(`"${publishedBucket}"`));
    expect(withPublished.map((d) => (d.Properties as { JobDefinitionName: string }).JobDefinitionName)).toEqual([
      'aerial-dev-Publish',
    ]);
    expect(JSON.stringify(withPublished[0])).toContain(`"Name":"${STAGE_ENVIRONMENT.publishedStore}"`);
    // The published bucket appears in exactly one role policy: the Publish role's.
    const policies = Object.entries(t.findResources('AWS::IAM::Policy')).filter(([, p]) =>
      JSON.stringify(p.Properties).includes(`"${publishedBucket}"`),
    );
    expect(policies.map(([id]) => id)).toEqual([expect.stringMatching(/^PipelinePublishRole/)]);
  });

  test('every path through the job fits inside each environment’s job timeout', () => {
    for (const name of ENVIRONMENT_NAMES) {
      const asl = renderAsl(deployedDefinition(DEFAULT_ENVIRONMENTS[name]));
      expect({ name, fits: longestPathSeconds(asl) <= asl.TimeoutSeconds }).toEqual({ name, fits: true });
      const deployed = Object.values(template(name, 'pipeline').findResources('AWS::StepFunctions::StateMachine'))[0]!;
      expect(JSON.parse((deployed.Properties as { DefinitionString: string }).DefinitionString).TimeoutSeconds).toBe(
        DEFAULT_ENVIRONMENTS[name].limits.jobTimeoutSeconds,
      );
    }
    // SfM and Splat alone may take 2 × 11,700 s: more than the old 2-hour limit.
    expect(longestPathSeconds(renderAsl(AERIAL_PIPELINE))).toBeGreaterThan(2 * 11_700);
  });

  test('a job that ends without its Notify state (timeout, abort, failed Notify) still invokes Notify', () => {
    const t = template('dev', 'pipeline');
    const rule = Object.values(t.findResources('AWS::Events::Rule')).find((r) =>
      JSON.stringify(r).includes('Step Functions Execution Status Change'),
    )!;
    const props = rule.Properties as {
      EventPattern: { source: string[]; detail: { status: string[]; stateMachineArn: unknown[] } };
      Targets: { Arn: unknown; DeadLetterConfig?: unknown }[];
    };
    expect(props.EventPattern.source).toEqual(['aws.states']);
    expect(props.EventPattern.detail.status).toEqual([...UNNOTIFIED_END_STATUSES]);
    expect(props.EventPattern.detail.status).toEqual(expect.arrayContaining(['TIMED_OUT', 'ABORTED']));
    expect(props.EventPattern.detail.stateMachineArn).toHaveLength(1);
    expect(JSON.stringify(props.Targets[0]!.Arn)).toContain('PipelineNotifyFunction');
    expect(props.Targets[0]!.DeadLetterConfig).toBeDefined();
  });

  test('Notify sends from the SES identity it may use, reads the webhook secret, publishes to its topic', () => {
    const t = template('dev', 'pipeline');
    const domain = infraConfig('dev').settings.mailDomain;
    t.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: domain });
    const notify = Object.entries(t.findResources('AWS::Lambda::Function')).find(([id]) =>
      id.startsWith('PipelineNotifyFunction'),
    )!;
    const variables = (notify[1].Properties as { Environment: { Variables: Record<string, unknown> } }).Environment
      .Variables;
    expect(variables[NOTIFY_ENVIRONMENT.mailFrom]).toBe(`noreply@${domain}`);
    expect(variables[NOTIFY_ENVIRONMENT.mail]).toBe('ses');
    expect(variables[NOTIFY_ENVIRONMENT.webhookSecretArn]).toEqual({ Ref: expect.stringMatching(/^WebhookSecret/) });
    expect(variables[NOTIFY_ENVIRONMENT.topicArn]).toBeDefined();
    expect(JSON.stringify(variables)).not.toContain('.invalid');
    const policy = JSON.stringify(
      Object.entries(t.findResources('AWS::IAM::Policy')).find(([id]) =>
        id.startsWith('PipelineNotifyFunctionServiceRoleDefaultPolicy'),
      )![1],
    );
    expect(policy).toContain('ses:SendEmail');
    expect(policy).toContain(':identity/');
    expect(policy).toContain('secretsmanager:GetSecretValue');
    expect(policy).toContain('sns:Publish');
    // The topics use a customer-managed key, never the AWS-managed aws/sns.
    expect(JSON.stringify(t.toJSON())).not.toContain('alias/aws/sns');
  });

  test('the state machine logs everything and is traced; function stages are Lambdas on Node 24', () => {
    const t = template('dev', 'pipeline');
    t.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: true }),
      TracingConfiguration: { Enabled: true },
    });
    for (const stage of functionStages) {
      t.hasResourceProperties('AWS::Lambda::Function', {
        Description: Match.stringLikeRegexp(`Aerial ${stage.name} stage`),
        Runtime: 'nodejs24.x',
        TracingConfig: { Mode: 'Active' },
        Environment: { Variables: Match.objectLike({ AERIAL_STAGE: stage.name, AERIAL_ENV: 'dev' }) },
      });
    }
  });

  test('least privilege: no statement grants every action, or any action on every resource outside the acknowledged cases', () => {
    for (const env of ['dev', 'prod'] as const) {
      for (const stack of ['pipeline', 'data', 'observability', 'ciAccess'] as const) {
        const policies = template(env, stack).findResources('AWS::IAM::Policy');
        for (const [id, policy] of Object.entries(policies)) {
          const statements = (
            policy.Properties as { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } }
          ).PolicyDocument.Statement;
          for (const s of statements) {
            const actions = [s.Action].flat();
            expect({ id, wildcardAction: actions.some((a) => a === '*' || a.endsWith(':*')) }).toEqual({
              id,
              wildcardAction: false,
            });
            if (s.Resource === '*') {
              // Only these actions lack resource-level permissions.
              for (const action of actions) {
                expect(RESOURCELESS_ACTIONS).toContain(action);
              }
            }
          }
        }
      }
    }
  });
});

describe('job API', () => {
  test('POST /jobs needs IAM auth and an API key; a usage plan throttles; an upload marker also starts a job', () => {
    const t = template('dev', 'pipeline');
    t.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      AuthorizationType: 'AWS_IAM',
      ApiKeyRequired: true,
    });
    t.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      Throttle: { RateLimit: 10, BurstLimit: 20 },
      Quota: { Limit: 1000, Period: 'DAY' },
    });
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: { object: { key: [{ suffix: '/_READY' }] } },
      },
      Targets: [Match.objectLike({ DeadLetterConfig: Match.anyValue() })],
    });
  });
});

describe('cluster', () => {
  test('Karpenter interruption rules match exactly the events Karpenter handles', () => {
    const rules = template('dev', 'cluster').findResources('AWS::Events::Rule');
    const patterns = Object.values(rules).map((r) => (r.Properties as { EventPattern: unknown }).EventPattern);
    expect(patterns).toHaveLength(4);
    expect(patterns).toEqual(
      expect.arrayContaining([
        { source: ['aws.ec2'], 'detail-type': ['EC2 Spot Instance Interruption Warning'] },
        { source: ['aws.ec2'], 'detail-type': ['EC2 Instance Rebalance Recommendation'] },
        { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'] },
        { source: ['aws.health'], 'detail-type': ['AWS Health Event'] },
      ]),
    );
    expect(Object.keys(INTERRUPTION_EVENT_PATTERNS)).toHaveLength(4);
  });

  test('EKS 1.36 with a private endpoint and all control-plane logs; Karpenter and Argo CD from pinned charts', () => {
    const t = template('dev', 'cluster');
    t.hasResourceProperties('Custom::AWSCDK-EKS-Cluster', {
      Config: Match.objectLike({
        name: deploymentNames('dev').clusterName,
        version: KUBERNETES_VERSION.version,
        resourcesVpcConfig: Match.objectLike({ endpointPublicAccess: false, endpointPrivateAccess: true }),
        logging: {
          clusterLogging: [
            { enabled: true, types: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'] },
          ],
        },
      }),
    });
    expect(KUBERNETES_VERSION.version).toBe('1.36');
    t.hasResourceProperties('Custom::AWSCDK-EKS-HelmChart', {
      Chart: 'karpenter',
      Version: CHARTS.karpenter.version,
      Repository: CHARTS.karpenter.repository,
      Timeout: '720s',
    });
    t.hasResourceProperties('Custom::AWSCDK-EKS-HelmChart', {
      Chart: 'argo-cd',
      Version: CHARTS.argoCd.version,
      Namespace: 'argocd',
    });
  });

  test('Karpenter, its nodes and every pod identity use the names the manifests use', () => {
    for (const env of ['dev', 'prod'] as const) {
      const names = deploymentNames(env);
      const t = template(env, 'cluster');
      t.hasResourceProperties('AWS::IAM::Role', { RoleName: names.roles.karpenterNode });
      t.hasResourceProperties('AWS::SQS::Queue', { QueueName: names.queues.karpenterInterruption });
      for (const identity of Object.values(names.podIdentities)) {
        t.hasResourceProperties('AWS::IAM::Role', { RoleName: identity.roleName });
        t.hasResourceProperties('AWS::EKS::PodIdentityAssociation', {
          Namespace: identity.namespace,
          ServiceAccount: identity.serviceAccount,
        });
      }
      const subnets = JSON.stringify(template(env, 'network').findResources('AWS::EC2::Subnet'));
      expect(subnets).toContain(JSON.stringify({ Key: names.discoveryTag.key, Value: names.discoveryTag.value }));
    }
  });

  test('the app of apps tracks main at the committed manifests folder, automatically in dev and by hand in prod', () => {
    const application = (env: 'dev' | 'prod') => {
      const resources = template(env, 'cluster').findResources('Custom::AWSCDK-EKS-KubernetesResource');
      const [root] = Object.values(resources)
        .map((r) => (r.Properties as { Manifest: unknown }).Manifest)
        .filter((m): m is string => typeof m === 'string' && m.includes('argoproj.io/v1alpha1'))
        .flatMap((m) => JSON.parse(m) as { metadata: { name: string }; spec: Record<string, unknown> }[]);
      return root!;
    };
    for (const env of ['dev', 'prod'] as const) {
      const { gitops, prefix } = deploymentNames(env);
      const root = application(env);
      expect(root.metadata.name).toBe(prefix);
      expect(root.spec.source).toEqual({
        repoURL: gitops.repoUrl,
        targetRevision: gitops.revision,
        path: gitops.path,
        directory: { include: 'apps.k8s.yaml' },
      });
      // The folder is committed: Argo CD can only sync what git holds at the revision it tracks.
      expect(existsSync(join(__dirname, '..', '..', '..', gitops.path, 'apps.k8s.yaml'))).toBe(true);
    }
    expect(application('dev').spec.syncPolicy).toMatchObject({ automated: { prune: true, selfHeal: true } });
    expect(application('prod').spec.syncPolicy).not.toHaveProperty('automated');
  });
});

describe('observability and cost', () => {
  test('log retention follows the environment: 30 days in dev, 90 in prod', () => {
    template('dev', 'pipeline').allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    template('prod', 'pipeline').allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  test('a dashboard, alarms to critical and warning topics, and a budget alerting at 80 % and 100 %', () => {
    const t = template('dev', 'observability');
    t.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    t.resourceCountIs('AWS::SNS::Topic', 2);
    const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm')).map(
      (a) => (a.Properties as { AlarmName: string }).AlarmName,
    );
    // Exactly the declared alarms: the runbook documents each (the docs test checks it).
    expect(alarms.sort()).toEqual(
      Object.keys(AERIAL_ALARMS)
        .map((n) => `aerial-dev-${n}`)
        .sort(),
    );

    const body = JSON.stringify(t.findResources('AWS::CloudWatch::Dashboard'));
    for (const metric of [
      'ExecutionsFailed',
      'ExecutionsTimedOut',
      'StageDurationSeconds',
      'RunnableJobs',
      '5XXError',
    ]) {
      expect(body).toContain(metric);
    }
    t.hasResourceProperties('AWS::Budgets::Budget', {
      Budget: {
        BudgetLimit: { Amount: DEFAULT_ENVIRONMENTS.dev.budget.monthlyUsd, Unit: 'USD' },
        TimeUnit: 'MONTHLY',
        BudgetType: 'COST',
      },
      NotificationsWithSubscribers: Match.arrayWith([
        Match.objectLike({ Notification: Match.objectLike({ Threshold: 80, NotificationType: 'ACTUAL' }) }),
        Match.objectLike({ Notification: Match.objectLike({ Threshold: 100, NotificationType: 'ACTUAL' }) }),
      ]),
    });
    t.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(15 6 * * ? *)' });
  });
});

describe('alerts reach someone', () => {
  test('alarm topics use a rotating customer-managed key that CloudWatch and Budgets may use, and let them publish', () => {
    const t = template('dev', 'observability');
    t.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
          Match.objectLike({
            Principal: { Service: 'budgets.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
    const names = deploymentNames('dev').topics;
    for (const topicName of [names.alarmsCritical, names.alarmsWarning])
      t.hasResourceProperties('AWS::SNS::Topic', { TopicName: topicName, KmsMasterKeyId: Match.anyValue() });
    expect(JSON.stringify(t.toJSON())).not.toContain('alias/aws/sns');
    t.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Principal: { Service: 'budgets.amazonaws.com' }, Action: 'sns:Publish' }),
        ]),
      },
    });
    // Nothing personal in the repository: no subscriber unless an operator configures one.
    t.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  test('configured alert emails subscribe to both alarm topics; budget emails receive the budget alerts', () => {
    const configured = synthApp({
      'aerial:staging': JSON.stringify({
        settings: { alertEmails: ['ops@example.org'] },
        environment: { budget: { monthlyUsd: 1500, maxJobUsd: 60, alertEmails: ['finance@example.org'] } },
      }),
    });
    const o = configured.template('staging', 'observability');
    o.resourceCountIs('AWS::SNS::Subscription', 2);
    o.allResourcesProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.org' });
    o.hasResourceProperties('AWS::Budgets::Budget', {
      NotificationsWithSubscribers: Match.arrayWith([
        Match.objectLike({
          Subscribers: Match.arrayWith([{ SubscriptionType: 'EMAIL', Address: 'finance@example.org' }]),
        }),
      ]),
    });
  });

  test('each environment’s budget covers what it costs idle, with room for jobs', () => {
    // The estimate counts what the network stack creates.
    const interfaceEndpoints = Object.values(template('dev', 'network').findResources('AWS::EC2::VPCEndpoint')).filter(
      (e) => (e.Properties as { VpcEndpointType?: string }).VpcEndpointType === 'Interface',
    );
    expect(interfaceEndpoints).toHaveLength(INTERFACE_ENDPOINTS);
    for (const name of ENVIRONMENT_NAMES) {
      const config = infraConfig(name);
      const fixed = fixedMonthlyCost(config).totalUsd;
      // An idle dev costs hundreds of dollars: a budget below that would refuse every job.
      expect(fixed).toBeGreaterThan(300);
      const jobs = 10 * config.environment.budget.maxJobUsd;
      expect({ name, fixed: Math.round(fixed), covered: config.environment.budget.monthlyUsd >= fixed + jobs }).toEqual(
        {
          name,
          fixed: Math.round(fixed),
          covered: true,
        },
      );
    }
  });
});

describe('CI access', () => {
  test('GitHub deploys through OIDC, only from this repository’s environment, with no keys', () => {
    const t = template('prod', 'ciAccess');
    t.resourceCountIs('AWS::IAM::OIDCProvider', 1);
    t.resourceCountIs('AWS::IAM::AccessKey', 0);
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: {
              StringEquals: {
                'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
                'token.actions.githubusercontent.com:sub': 'repo:aerial-platform/aerial-platform:environment:prod',
              },
            },
          }),
        ],
      },
    });
  });
});
