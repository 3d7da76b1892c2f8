import {
  AERIAL_PIPELINE,
  assertStagesFitJobTimeout,
  deployedDefinition as deployedPipeline,
  type PipelineDefinition,
  renderAsl,
  type StageDefinition,
  substitution,
} from '@aerial/definition';
import { deploymentNames, type EnvironmentConfig, PLATFORM, TRANSIENT_EXIT_CODE } from '@aerial/contracts';
import { Arn, Duration, Size, Stack } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as ses from 'aws-cdk-lib/aws-ses';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { NOTIFY_ENVIRONMENT, STAGE_ENVIRONMENT } from '../lambda/lambda-environment';
import { acknowledge, arnToken, bucketGrantFindings } from '../nag/acknowledge';
import { type AerialBuckets } from '../data/aerial-buckets';
import { type BatchCompute } from './batch-compute';
import { NodeFunction } from './node-function';

/** Statuses of a job that can end without its Notify state running (a timeout cannot be caught). */
export const UNNOTIFIED_END_STATUSES = ['FAILED', 'TIMED_OUT', 'ABORTED'] as const;

export interface AerialPipelineProps {
  readonly environment: EnvironmentConfig;
  readonly buckets: AerialBuckets;
  readonly compute: BatchCompute;
  /** Tag of the stage images (`${PLATFORM.imageRegistry}/<image>:<tag>`) to run. */
  readonly imageTag: string;
  readonly logRetention: logs.RetentionDays;
  /** SNS topic for job outcomes (the Notify stage publishes to it). */
  readonly notifications: sns.ITopic;
  /** The SES identity Notify sends from, and its sender address on that identity's domain. */
  readonly mail: { readonly identity: ses.IEmailIdentity; readonly from: string };
  /** Signs webhook deliveries; Notify reads it at cold start. */
  readonly webhookSecret: secretsmanager.ISecret;
  /** @default AERIAL_PIPELINE */
  readonly definition?: PipelineDefinition;
}

/** The pipeline as deployed to an environment (the job timeout is the environment's). */
export function deployedDefinition(
  environment: EnvironmentConfig,
  definition: PipelineDefinition = AERIAL_PIPELINE,
): PipelineDefinition {
  return deployedPipeline(environment, definition);
}

/**
 * The job state machine, deployed from the very ASL the local engine runs: ARNs go in through
 * definition substitutions. Container stages become Batch job definitions (resources, retry on the
 * transient exit code, attempt timeout from the pipeline definition) running the released images;
 * function stages become Lambdas. Publish alone writes the published bucket. A job that ends
 * without reaching Notify (the whole-job timeout, an abort) is reported by an EventBridge rule
 * that invokes Notify.
 */
export class AerialPipeline extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly functions: Record<string, lambda.IFunction> = {};
  /** Job-ended events Notify could not take (after EventBridge's retries): users not told. */
  readonly notifyDeadLetters?: sqs.IQueue;
  readonly jobDefinitions: Record<string, batch.EcsJobDefinition> = {};
  readonly jobRole: iam.Role;
  readonly publishRole: iam.Role;
  readonly jobEnded: events.Rule;
  readonly substitutions: Record<string, string>;

  constructor(scope: Construct, id: string, props: AerialPipelineProps) {
    super(scope, id);
    const definition = deployedDefinition(props.environment, props.definition);
    const names = deploymentNames(props.environment.name);
    const stack = Stack.of(this);
    const stageEnvironment: Record<string, string> = {
      [STAGE_ENVIRONMENT.environment]: props.environment.name,
      [STAGE_ENVIRONMENT.objectStore]: `s3://${props.buckets.work.bucketName}`,
      [STAGE_ENVIRONMENT.uploadsStore]: `s3://${props.buckets.uploads.bucketName}`,
    };
    const stageBucketFindings = bucketGrantFindings([props.buckets.uploads, props.buckets.work], true);
    this.jobRole = this.stageRole(props, stageBucketFindings);
    this.publishRole = this.publishStageRole(props);
    const containerLogs = new logs.LogGroup(this, 'ContainerLogs', { retention: props.logRetention });

    const substitutions: Record<string, string> = {
      [substitution.jobQueueArnPrefix]: queueArnPrefix(stack, `${names.prefix}-`),
      [substitution.gpuJobQueueArnPrefix]: queueArnPrefix(stack, `${names.prefix}-gpu-`),
    };
    for (const stage of definition.stages) {
      if (stage.kind === 'function') {
        const fn = this.functionStage(stage, stage.name === definition.notify, props, {
          stageEnvironment,
          stageBucketFindings,
        });
        this.functions[stage.name] = fn.function;
        substitutions[substitution.functionArn(stage.name)] = fn.function.functionArn;
        continue;
      }
      const jobDefinition = this.containerStage(stage, `${names.prefix}-${stage.name}`, props, {
        stageEnvironment,
        containerLogs,
      });
      this.jobDefinitions[stage.name] = jobDefinition;
      substitutions[substitution.jobDefinitionArn(stage.name)] = jobDefinition.jobDefinitionArn;
    }
    this.substitutions = substitutions;

    this.stateMachine = this.jobStateMachine(definition, names.stateMachine, substitutions, props);
    this.grantOrchestration(props.compute);

    // A whole-job timeout or an abort ends the execution without a catchable error, so Notify
    // never runs; a failure whose Notify failed ends the same way. Notify skips a job it reported.
    const notifyFn = this.functions[definition.notify] as lambda.IFunction;
    const notifyDlq = (this.node.findChild(`${definition.notify}Function`) as NodeFunction).deadLetterQueue;
    this.notifyDeadLetters = notifyDlq;
    this.jobEnded = this.notifyUnnotifiedEnds(notifyFn, notifyDlq);
  }

  /** The role of every stage container but Publish's. */
  private stageRole(props: AerialPipelineProps, stageBucketFindings: string[]): iam.Role {
    const role = new iam.Role(this, 'JobRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'stage containers: read uploads, read and write work objects',
    });
    props.buckets.grantStageAccess(role);
    acknowledge(
      role,
      'stages read any upload and write any object of their job under jobs/<id>/ in the work bucket; object keys are per job',
      stageBucketFindings,
    );
    return role;
  }

  /** Publish's role: the only one that writes the published bucket. */
  private publishStageRole(props: AerialPipelineProps): iam.Role {
    const role = new iam.Role(this, 'PublishRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'the Publish stage: read and write work objects, write the published bucket',
    });
    props.buckets.work.grantReadWrite(role);
    props.buckets.grantPublish(role);
    acknowledge(
      role,
      "Publish reads the job's products in the work bucket and replaces the job's published run; object keys are per job",
      bucketGrantFindings([props.buckets.work, props.buckets.published], true),
    );
    return role;
  }

  /** A function stage's Lambda, with its bucket access (and Notify's delivery rights). */
  private functionStage(
    stage: StageDefinition,
    notify: boolean,
    props: AerialPipelineProps,
    shared: { readonly stageEnvironment: Record<string, string>; readonly stageBucketFindings: string[] },
  ): NodeFunction {
    const fn = new NodeFunction(this, `${stage.name}Function`, {
      handler: 'stage-function',
      description: `Aerial ${stage.name} stage: ${stage.description}`,
      memorySize: stage.resources.memoryMiB,
      timeout: Duration.seconds(stage.timeoutSeconds),
      logRetention: props.logRetention,
      // Notify is also invoked by EventBridge when a job ends without it: failed events go to a DLQ.
      asynchronous: notify,
      environment: {
        ...shared.stageEnvironment,
        [STAGE_ENVIRONMENT.stage]: stage.name,
        [STAGE_ENVIRONMENT.environmentConfig]: JSON.stringify(props.environment),
        ...(notify
          ? {
              [NOTIFY_ENVIRONMENT.topicArn]: props.notifications.topicArn,
              [NOTIFY_ENVIRONMENT.mail]: 'ses',
              [NOTIFY_ENVIRONMENT.mailFrom]: props.mail.from,
              [NOTIFY_ENVIRONMENT.webhookSecretArn]: props.webhookSecret.secretArn,
            }
          : {}),
      },
    });
    props.buckets.grantStageAccess(fn.function);
    acknowledge(
      fn.function,
      "function stages read uploads and write their job's objects in the work bucket; object keys are per job",
      shared.stageBucketFindings,
    );
    if (notify) this.grantNotify(fn, props);
    return fn;
  }

  /** A container stage's Batch job definition: the released image, retried on the transient exit code. */
  private containerStage(
    stage: StageDefinition,
    jobDefinitionName: string,
    props: AerialPipelineProps,
    shared: { readonly stageEnvironment: Record<string, string>; readonly containerLogs: logs.ILogGroup },
  ): batch.EcsJobDefinition {
    const publish = stage.name === 'Publish';
    return new batch.EcsJobDefinition(this, `${stage.name}Job`, {
      jobDefinitionName,
      container: new batch.EcsEc2ContainerDefinition(this, `${stage.name}Container`, {
        // Released images are public on the project's registry: no pull credentials.
        image: ecs.ContainerImage.fromRegistry(`${PLATFORM.imageRegistry}/${stage.image}:${props.imageTag}`),
        cpu: stage.resources.vcpu,
        memory: Size.mebibytes(stage.resources.memoryMiB),
        ...(stage.resources.gpu ? { gpu: stage.resources.gpu } : {}),
        command: [stage.name],
        jobRole: publish ? this.publishRole : this.jobRole,
        readonlyRootFilesystem: true,
        volumes: [batch.EcsVolume.host({ name: 'scratch', containerPath: '/tmp' })],
        environment: {
          ...shared.stageEnvironment,
          AERIAL_DATA_DIR: '/tmp/aerial',
          [STAGE_ENVIRONMENT.metrics]: 'emf',
          ...(publish ? { [STAGE_ENVIRONMENT.publishedStore]: `s3://${props.buckets.published.bucketName}` } : {}),
        },
        logging: ecs.LogDriver.awsLogs({ logGroup: shared.containerLogs, streamPrefix: stage.name }),
      }),
      retryAttempts: stage.retry.attempts,
      retryStrategies: [
        batch.RetryStrategy.of(batch.Action.RETRY, batch.Reason.custom({ onExitCode: String(TRANSIENT_EXIT_CODE) })),
        batch.RetryStrategy.of(batch.Action.RETRY, batch.Reason.SPOT_INSTANCE_RECLAIMED),
        batch.RetryStrategy.of(batch.Action.EXIT, batch.Reason.custom({ onExitCode: '*' })),
      ],
      timeout: Duration.seconds(stage.timeoutSeconds),
    });
  }

  /** The state machine running the pipeline's ASL, ARNs substituted, logged in full. */
  private jobStateMachine(
    definition: PipelineDefinition,
    stateMachineName: string,
    substitutions: Record<string, string>,
    props: AerialPipelineProps,
  ): sfn.StateMachine {
    const asl = renderAsl(definition);
    assertStagesFitJobTimeout(asl, `${props.environment.name} job`);
    const stateMachineLogs = new logs.LogGroup(this, 'StateMachineLogs', {
      logGroupName: `/aws/vendedlogs/states/${stateMachineName}`,
      retention: props.logRetention,
    });
    return new sfn.StateMachine(this, 'Resource', {
      stateMachineName,
      definitionBody: sfn.DefinitionBody.fromString(JSON.stringify(asl)),
      definitionSubstitutions: substitutions,
      logs: { destination: stateMachineLogs, level: sfn.LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });
  }

  /** Runs Notify for an execution that ended without its Notify state (timeout, abort). */
  private notifyUnnotifiedEnds(notifyFn: lambda.IFunction, notifyDlq: sqs.IQueue | undefined): events.Rule {
    return new events.Rule(this, 'JobEnded', {
      description: 'tell the user about a job that ended without its Notify state (timeout, abort)',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { stateMachineArn: [this.stateMachine.stateMachineArn], status: [...UNNOTIFIED_END_STATUSES] },
      },
      targets: [
        new targets.LambdaFunction(notifyFn, {
          retryAttempts: 4,
          ...(notifyDlq ? { deadLetterQueue: notifyDlq } : {}),
        }),
      ],
    });
  }

  /** Notify: publish to the topic, send email from the SES identity, read the webhook secret. */
  private grantNotify(fn: NodeFunction, props: AerialPipelineProps): void {
    props.notifications.grantPublish(fn.function);
    props.mail.identity.grantSendEmail(fn.function);
    props.webhookSecret.grantRead(fn.function);
    acknowledge(fn.function, 'publishing to the encrypted topic needs data keys of its one KMS key', [
      'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
    ]);
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
