import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as logsLib from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge, arnToken } from '../nag/acknowledge';
import { type AerialPipeline } from '../pipeline/aerial-pipeline';
import { NodeFunction } from '../pipeline/node-function';
import { OPERATIONS_ENVIRONMENT } from '../lambda/lambda-environment';

export interface JobApiProps {
  readonly pipeline: AerialPipeline;
  readonly uploads: s3.IBucket;
  readonly namePrefix: string;
  readonly logRetention: logs.RetentionDays;
  /** Requests per second across all keys. @default 10 */
  readonly rateLimit?: number;
  /** @default 20 */
  readonly burstLimit?: number;
}

/**
 * How jobs start in the cloud: `POST /jobs` on a REST API that requires an API key (usage plan
 * with throttling and a daily quota), and an upload marker landing in the uploads bucket
 * (S3 → EventBridge → the same start-job Lambda). Both validate with the contracts.
 */
export class JobApi extends Construct {
  readonly api: apigw.RestApi;
  readonly startJob: NodeFunction;

  constructor(scope: Construct, id: string, props: JobApiProps) {
    super(scope, id);
    this.startJob = new NodeFunction(this, 'StartJob', {
      handler: 'start-job',
      description: 'Aerial: validate a job request and start its execution',
      logRetention: props.logRetention,
      environment: { [OPERATIONS_ENVIRONMENT.stateMachineArn]: props.pipeline.stateMachine.stateMachineArn },
      asynchronous: true,
    });
    props.pipeline.grantStartExecution(this.startJob.function);
    // The upload marker may carry the job request (who to tell, which preset).
    this.startJob.function.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [props.uploads.arnForObjects('*/_READY')] }),
    );
    acknowledge(
      this.startJob.function,
      'reads only upload markers (`<dataset>/_READY`), whatever the dataset is named',
      [`AwsSolutions-IAM5[Resource::${arnToken(props.uploads)}/*/_READY]`],
    );

    const accessLogs = new logsLib.LogGroup(this, 'AccessLogs', { retention: props.logRetention });
    this.api = new apigw.RestApi(this, 'Resource', {
      restApiName: `${props.namePrefix}-jobs`,
      description: 'Aerial Platform job API',
      deployOptions: {
        stageName: 'v1',
        tracingEnabled: true,
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
        throttlingRateLimit: props.rateLimit ?? 10,
        throttlingBurstLimit: props.burstLimit ?? 20,
      },
      cloudWatchRole: true,
    });
    const validator = this.api.addRequestValidator('Body', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const model = this.api.addModel('JobRequest', {
      contentType: 'application/json',
      schema: {
        type: apigw.JsonSchemaType.OBJECT,
        required: ['source'],
        properties: { source: { type: apigw.JsonSchemaType.OBJECT } },
      },
    });
    this.api.root.addResource('jobs').addMethod('POST', new apigw.LambdaIntegration(this.startJob.function), {
      // IAM signs the caller in; the API key ties it to a usage plan's throttle and quota.
      authorizationType: apigw.AuthorizationType.IAM,
      apiKeyRequired: true,
      requestValidator: validator,
      requestModels: { 'application/json': model },
    });
    const plan = this.api.addUsagePlan('UsagePlan', {
      name: `${props.namePrefix}-jobs`,
      throttle: { rateLimit: props.rateLimit ?? 10, burstLimit: props.burstLimit ?? 20 },
      quota: { limit: 1000, period: apigw.Period.DAY },
    });
    plan.addApiStage({ stage: this.api.deploymentStage });
    plan.addApiKey(this.api.addApiKey('DefaultKey', { description: 'first key; add one per client' }));

    new events.Rule(this, 'UploadReady', {
      description: 'an upload marker starts a job',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: { bucket: { name: [props.uploads.bucketName] }, object: { key: [{ suffix: '/_READY' }] } },
      },
      targets: [
        new targets.LambdaFunction(this.startJob.function, {
          retryAttempts: 3,
          deadLetterQueue: this.startJob.deadLetterQueue,
        }),
      ],
    });
    acknowledge(this.api, 'callers are AWS principals authorised by IAM (SigV4), not Cognito users', [
      'AwsSolutions-COG4',
    ]);
    acknowledge(
      this.api,
      'a private job API behind IAM auth, API keys and usage-plan throttling; a WAF adds cost without a threat it would stop here',
      ['AwsSolutions-APIG3'],
    );
    acknowledge(this.api, 'API Gateway writes its logs with the AWS-managed push-to-CloudWatch policy', [
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
    ]);
  }
}
