import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { lambdaEntry } from '../lambda/lambda-entry';
import { acknowledge, LAMBDA_BASIC_EXECUTION } from '../nag/acknowledge';

export interface NodeFunctionProps {
  /** Handler file in src/lambda, without extension. */
  readonly handler: string;
  readonly environment?: Record<string, string>;
  readonly memorySize?: number;
  readonly timeout?: Duration;
  readonly logRetention: logs.RetentionDays;
  readonly description: string;
  /** Invoked asynchronously (EventBridge): failed events go to a dead-letter queue. @default false */
  readonly asynchronous?: boolean;
}

/**
 * A Lambda on the current Node LTS, bundled offline by esbuild from the workspace (no Docker), with
 * X-Ray tracing, a log group of its own with the environment's retention, and a dead-letter queue
 * when it is invoked asynchronously.
 */
export class NodeFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly deadLetterQueue?: sqs.Queue;

  constructor(scope: Construct, id: string, props: NodeFunctionProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention });
    if (props.asynchronous) {
      this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      acknowledge(this.deadLetterQueue, 'this queue is itself a dead-letter queue', [
        'AwsSolutions-SQS3',
        'Serverless-SQSRedrivePolicy',
      ]);
    }
    this.function = new nodejs.NodejsFunction(this, 'Resource', {
      entry: lambdaEntry(props.handler),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      description: props.description,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      ...(this.deadLetterQueue ? { deadLetterQueue: this.deadLetterQueue } : {}),
      bundling: {
        forceDockerBundling: false,
        minify: true,
        sourceMap: true,
        target: 'node24',
        // The Lambda runtime provides the v3 SDK; sharp (image decoding) runs only in containers.
        externalModules: ['@aws-sdk/*', 'sharp'],
      },
    });
    acknowledge(this.function, 'the AWS-managed basic execution policy only lets the function write its own logs', [
      LAMBDA_BASIC_EXECUTION,
    ]);
    acknowledge(this.function, 'X-Ray PutTraceSegments/PutTelemetryRecords have no resource-level permissions', [
      'AwsSolutions-IAM5[Resource::*]',
    ]);
    if (!props.asynchronous) {
      acknowledge(
        this.function,
        'invoked synchronously (Step Functions, API Gateway): the caller sees and retries failures, a DLQ would never receive',
        ['Serverless-LambdaDLQ'],
      );
    }
  }
}
