import { AERIAL_METRICS, deploymentNames, type EnvironmentName } from '@aerial/contracts';
import { Duration, Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { acknowledge } from '../nag/acknowledge';
import { NodeFunction } from '../pipeline/node-function';
import { type AerialAlarmId, AERIAL_ALARMS } from './alarms';
import { AlertTopic, TopicKey } from './alert-topic';
import { OPERATIONS_ENVIRONMENT, STAGE_ENVIRONMENT } from '../lambda/lambda-environment';

/** Namespace of the metrics the stages emit in CloudWatch embedded metric format. */
export const STAGE_METRICS_NAMESPACE = AERIAL_METRICS.namespace;

export interface AerialObservabilityProps {
  readonly namePrefix: string;
  readonly environmentName: EnvironmentName;
  readonly stateMachine: sfn.IStateMachine;
  readonly functions: lambda.IFunction[];
  readonly api: apigw.RestApi;
  readonly stages: readonly string[];
  /** Who is emailed alarms and budget alerts (settings.alertEmails); empty: the topics only. */
  readonly alertEmails: readonly string[];
  /** Batch queues whose RUNNABLE jobs are counted every five minutes. */
  readonly jobQueueArns: readonly string[];
  readonly logRetention: logs.RetentionDays;
  /** Notify's dead letters: jobs whose end nobody was told of. */
  readonly notifyDeadLetters?: sqs.IQueue;
}

/**
 * Alarm topics (critical, warning) under a key CloudWatch and Budgets may use, the environment's
 * dashboard, and the alarms that page.
 */
export class AerialObservability extends Construct {
  readonly critical: sns.Topic;
  readonly warning: sns.Topic;
  readonly topicKey: TopicKey;
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: AerialObservabilityProps) {
    super(scope, id);
    const names = deploymentNames(props.environmentName);
    this.topicKey = new TopicKey(this, 'TopicKey', {
      description: `Aerial ${props.environmentName}: alarm and budget topics (CloudWatch and Budgets publish)`,
      services: ['cloudwatch', 'budgets'],
    });
    const topic = (id: string, topicName: string) =>
      new AlertTopic(this, id, {
        topicName,
        key: this.topicKey.key,
        services: ['cloudwatch', 'budgets'],
        emails: props.alertEmails,
      }).topic;
    this.critical = topic('Critical', names.topics.alarmsCritical);
    this.warning = topic('Warning', names.topics.alarmsWarning);

    this.measureQueueDepth(props);
    const metrics = pipelineMetrics(props);
    this.dashboard = this.overviewDashboard(props, metrics);
    this.pageOn(props, metrics);
  }

  /** A scheduled Lambda that publishes the RUNNABLE Batch jobs per queue (Batch has no such metric). */
  private measureQueueDepth(props: AerialObservabilityProps): void {
    const queueDepth = new NodeFunction(this, 'QueueDepth', {
      handler: 'queue-depth',
      description: 'Aerial: RUNNABLE Batch jobs per queue, as a metric',
      logRetention: props.logRetention,
      environment: {
        [OPERATIONS_ENVIRONMENT.jobQueues]: Stack.of(this).toJsonString(props.jobQueueArns),
        [STAGE_ENVIRONMENT.environment]: props.environmentName,
      },
      asynchronous: true,
    });
    // ListJobs takes a queue name, not a resource ARN, so it cannot be scoped further.
    queueDepth.function.addToRolePolicy(new iam.PolicyStatement({ actions: ['batch:ListJobs'], resources: ['*'] }));
    acknowledge(
      queueDepth.function,
      'batch:ListJobs takes a queue name, not a resource ARN; X-Ray has no resource-level permissions',
      ['AwsSolutions-IAM5[Resource::*]'],
    );
    new events.Rule(this, 'QueueDepthSchedule', {
      schedule: events.Schedule.rate(Duration.minutes(5)),
      targets: [new targets.LambdaFunction(queueDepth.function, { deadLetterQueue: queueDepth.deadLetterQueue })],
    });
  }

  private overviewDashboard(props: AerialObservabilityProps, metrics: PipelineMetrics): cloudwatch.Dashboard {
    const { sfnMetric, lambdaErrors, api5xx } = metrics;
    const stageDuration = (stage: string) =>
      new cloudwatch.Metric({
        namespace: STAGE_METRICS_NAMESPACE,
        metricName: AERIAL_METRICS.stageDurationSeconds,
        dimensionsMap: { Stage: stage, Environment: props.environmentName },
        statistic: 'p90',
        period: Duration.minutes(15),
      });
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${props.namePrefix}-overview`,
      defaultInterval: Duration.days(1),
    });
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Jobs',
        left: ['ExecutionsStarted', 'ExecutionsSucceeded', 'ExecutionsFailed', 'ExecutionsTimedOut'].map(sfnMetric),
        width: 12,
      }),
      new cloudwatch.GraphWidget({ title: 'Stage duration p90 (s)', left: props.stages.map(stageDuration), width: 12 }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Batch jobs waiting (RUNNABLE) per queue',
        left: [
          new cloudwatch.Metric({
            namespace: STAGE_METRICS_NAMESPACE,
            metricName: AERIAL_METRICS.runnableJobs,
            dimensionsMap: { Environment: props.environmentName },
            statistic: 'Maximum',
          }),
        ],
        width: 8,
      }),
      new cloudwatch.GraphWidget({ title: 'Lambda errors', left: lambdaErrors, width: 8 }),
      new cloudwatch.GraphWidget({ title: 'API 5xx', left: [api5xx], width: 8 }),
    );
    return dashboard;
  }

  /** The alarms: critical ones page, warnings mail. */
  private pageOn(props: AerialObservabilityProps, metrics: PipelineMetrics): void {
    const { sfnMetric, lambdaErrors, api5xx } = metrics;
    const topics = { critical: this.critical, warning: this.warning };
    const alarm = (
      name: AerialAlarmId,
      metric: cloudwatch.IMetric,
      threshold: number,
      comparison = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    ) => {
      const a = new cloudwatch.Alarm(this, name, {
        alarmName: `${props.namePrefix}-${name}`,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: comparison,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      a.addAlarmAction(new actions.SnsAction(topics[AERIAL_ALARMS[name]]));
      this.alarms.push(a);
    };
    alarm('JobsFailed', sfnMetric('ExecutionsFailed'), 0);
    alarm('JobsTimedOut', sfnMetric('ExecutionsTimedOut'), 0);
    alarm('Api5xx', api5xx, 5);
    if (props.notifyDeadLetters)
      alarm(
        'NotificationsUndelivered',
        props.notifyDeadLetters.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(5),
          statistic: 'Maximum',
        }),
        0,
      );
    alarm(
      'LambdaErrors',
      new cloudwatch.MathExpression({
        expression: lambdaErrors.map((_, i) => `e${i}`).join('+') || '0',
        usingMetrics: Object.fromEntries(lambdaErrors.map((m, i) => [`e${i}`, m])),
        period: Duration.minutes(5),
      }),
      3,
    );
  }
}

/** The metrics both the dashboard and the alarms read. */
interface PipelineMetrics {
  readonly sfnMetric: (metricName: string) => cloudwatch.Metric;
  readonly lambdaErrors: cloudwatch.Metric[];
  readonly api5xx: cloudwatch.Metric;
}

function pipelineMetrics(props: AerialObservabilityProps): PipelineMetrics {
  return {
    sfnMetric: (metricName: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/States',
        metricName,
        dimensionsMap: { StateMachineArn: props.stateMachine.stateMachineArn },
        statistic: 'Sum',
        period: Duration.minutes(5),
      }),
    lambdaErrors: props.functions.map((f) => f.metricErrors({ period: Duration.minutes(5) })),
    api5xx: props.api.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }),
  };
}
