import { AERIAL_PIPELINE, type PipelineDefinition, renderAsl, substitution } from '@aerial/pipeline';
import { type EnvironmentName } from '@aerial/contracts';
import { Arn, Duration, Size, Stack } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { acknowledge, arnToken, bucketGrantFindings } from '../nag/acknowledge';
import { type AerialBuckets } from '../data/aerial-buckets';
import { type BatchCompute } from './batch-compute';
import { NodeFunction } from './node-function';
import { type StageImages } from './stage-images';

/** Exit code of a transient stage failure (contracts' TRANSIENT_EXIT_CODE), retried by Batch. */
const TRANSIENT_EXIT_CODE = '75';

export interface AerialPipelineProps {
  readonly environmentName: EnvironmentName;
  readonly namePrefix: string;
  readonly buckets: AerialBuckets;
  readonly compute: BatchCompute;
  readonly images: StageImages;
  /** Tag of the stage images to run. */
  readonly imageTag: string;
  readonly logRetention: logs.RetentionDays;
  /** SNS topic for job outcomes (the Notify stage publishes to it). */
  readonly notificationTopicArn: string;
  /** Verified SES identity the Notify stage sends from. */
  readonly senderEmail: string;
  /** @default AERIAL_PIPELINE */
  readonly definition?: PipelineDefinition;
}

/**
 * The job state machine, deployed from the very ASL the local engine runs: ARNs go in through
 * definition substitutions. Container stages become Batch job definitions (resources, retry on the
 * transient exit code, attempt timeout from the pipeline definition); function stages become Lambdas.
 */
export class AerialPipeline extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly functions: Record<string, lambda.IFunction> = {};
  readonly jobDefinitions: Record<string, batch.EcsJobDefinition> = {};
  readonly jobRole: iam.Role;
  readonly substitutions: Record<string, string>;

  constructor(scope: Construct, id: string, props: AerialPipelineProps) {
    super(scope, id);
    const definition = props.definition ?? AERIAL_PIPELINE;
    const stack = Stack.of(this);
    const stageEnvironment = {
      AERIAL_ENV: props.environmentName,
      OBJECT_STORE: `s3://${props.buckets.work.bucketName}`,
      UPLOADS_STORE: `s3://${props.buckets.uploads.bucketName}`,
    };

    this.jobRole = new iam.Role(this, 'JobRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'stage containers: read uploads, read and write work objects',
    });
    props.buckets.grantStageAccess(this.jobRole);
    const stageBucketFindings = bucketGrantFindings([props.buckets.uploads, props.buckets.work], true);
    acknowledge(
      this.jobRole,
      'stages read any upload and write any object of their job under jobs/<id>/ in the work bucket; object keys are per job',
      stageBucketFindings,
    );
    const containerLogs = new logs.LogGroup(this, 'ContainerLogs', { retention: props.logRetention });

    const substitutions: Record<string, string> = {
      [substitution.jobQueueArnPrefix]: queueArnPrefix(stack, `${props.namePrefix}-`),
      [substitution.gpuJobQueueArnPrefix]: queueArnPrefix(stack, `${props.namePrefix}-gpu-`),
    };
    for (const stage of definition.stages) {
      if (stage.kind === 'function') {
        const fn = new NodeFunction(this, `${stage.name}Function`, {
          handler: 'stage-function',
          description: `Aerial ${stage.name} stage: ${stage.description}`,
          memorySize: stage.resources.memoryMiB,
          timeout: Duration.seconds(stage.timeoutSeconds),
          logRetention: props.logRetention,
          environment: {
            ...stageEnvironment,
            AERIAL_STAGE: stage.name,
            NOTIFY_TOPIC_ARN: props.notificationTopicArn,
            SENDER_EMAIL: props.senderEmail,
          },
        }).function;
        props.buckets.grantStageAccess(fn);
        acknowledge(
          fn,
          "function stages read uploads and write their job's objects in the work bucket; object keys are per job",
          stageBucketFindings,
        );
        this.functions[stage.name] = fn;
        substitutions[substitution.functionArn(stage.name)] = fn.functionArn;
        continue;
      }
      const image = props.images.repository(stage.image);
      const jobDefinition = new batch.EcsJobDefinition(this, `${stage.name}Job`, {
        jobDefinitionName: `${props.namePrefix}-${stage.name}`,
        container: new batch.EcsEc2ContainerDefinition(this, `${stage.name}Container`, {
          image: ecs.ContainerImage.fromEcrRepository(image, props.imageTag),
          cpu: stage.resources.vcpu,
          memory: Size.mebibytes(stage.resources.memoryMiB),
          ...(stage.resources.gpu ? { gpu: stage.resources.gpu } : {}),
          command: [stage.name],
          jobRole: this.jobRole,
          readonlyRootFilesystem: true,
          volumes: [batch.EcsVolume.host({ name: 'scratch', containerPath: '/tmp' })],
          environment: { ...stageEnvironment, AERIAL_DATA_DIR: '/tmp/aerial', AERIAL_METRICS: 'emf' },
          logging: ecs.LogDriver.awsLogs({ logGroup: containerLogs, streamPrefix: stage.name }),
        }),
        retryAttempts: stage.retry.attempts,
        retryStrategies: [
          batch.RetryStrategy.of(batch.Action.RETRY, batch.Reason.custom({ onExitCode: TRANSIENT_EXIT_CODE })),
          batch.RetryStrategy.of(batch.Action.RETRY, batch.Reason.SPOT_INSTANCE_RECLAIMED),
          batch.RetryStrategy.of(batch.Action.EXIT, batch.Reason.custom({ onExitCode: '*' })),
        ],
        timeout: Duration.seconds(stage.timeoutSeconds),
      });
      image.grantPull(jobDefinition.container.executionRole);
      acknowledge(
        jobDefinition.container.executionRole,
        'ecr:GetAuthorizationToken has no resource-level permissions',
        ['AwsSolutions-IAM5[Resource::*]'],
      );
      this.jobDefinitions[stage.name] = jobDefinition;
      substitutions[substitution.jobDefinitionArn(stage.name)] = jobDefinition.jobDefinitionArn;
    }
    this.substitutions = substitutions;

    const stateMachineLogs = new logs.LogGroup(this, 'StateMachineLogs', {
      logGroupName: `/aws/vendedlogs/states/${props.namePrefix}-job`,
      retention: props.logRetention,
    });
    this.stateMachine = new sfn.StateMachine(this, 'Resource', {
      stateMachineName: `${props.namePrefix}-job`,
      definitionBody: sfn.DefinitionBody.fromString(JSON.stringify(renderAsl(definition))),
      definitionSubstitutions: substitutions,
      logs: { destination: stateMachineLogs, level: sfn.LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });
    this.grantOrchestration(props.compute);
  }

  /** What the state machine does: invoke the stage functions and run Batch jobs synchronously. */
  private grantOrchestration(compute: BatchCompute): void {
    const role = this.stateMachine.role;
    for (const fn of Object.values(this.functions)) {
      fn.grantInvoke(role);
      acknowledge(role, 'invoking a stage function also allows its published versions (ARN:*)', [
        `AwsSolutions-IAM5[Resource::${arnToken(fn)}:*]`,
      ]);
    }
    acknowledge(
      role,
      'batch:DescribeJobs and batch:TerminateJob take no resource ARN (job ids exist only at run time); X-Ray and CloudWatch Logs delivery (vended logs) have no resource-level permissions',
      ['AwsSolutions-IAM5[Resource::*]'],
    );
    const queues = [...Object.values(compute.cpuQueues), ...Object.values(compute.gpuQueues)];
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['batch:SubmitJob'],
        resources: [
          ...queues.map((q) => q.jobQueueArn),
          ...Object.values(this.jobDefinitions).map((d) => d.jobDefinitionArn),
        ],
      }),
    );
    role.addToPrincipalPolicy(
      // Batch job ids are only known at run time; DescribeJobs/TerminateJob take no resource ARN.
      new iam.PolicyStatement({ actions: ['batch:DescribeJobs', 'batch:TerminateJob'], resources: ['*'] }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        resources: [
          Stack.of(this).formatArn({
            service: 'events',
            resource: 'rule',
            resourceName: 'StepFunctionsGetEventsForBatchJobsRule',
          }),
        ],
      }),
    );
  }

  /** Lets `grantee` start and inspect executions (the start-job API, the Hub). */
  grantStartExecution(grantee: iam.IGrantable): void {
    this.stateMachine.grantStartExecution(grantee);
  }
}

function queueArnPrefix(stack: Stack, namePrefix: string): string {
  return Arn.format({ service: 'batch', resource: 'job-queue', resourceName: namePrefix }, stack);
}
