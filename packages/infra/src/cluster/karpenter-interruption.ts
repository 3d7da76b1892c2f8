import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge } from '../nag/acknowledge';

/**
 * The EventBridge patterns Karpenter's interruption handling needs, exactly as Karpenter documents
 * them. Some blueprints misspell a detail type ("EC2 Instance Rebalance Recommendation" is singular
 * and without "Event"), and a misspelled rule silently never fires.
 */
export const INTERRUPTION_EVENT_PATTERNS = {
  SpotInterruption: { source: ['aws.ec2'], detailType: ['EC2 Spot Instance Interruption Warning'] },
  Rebalance: { source: ['aws.ec2'], detailType: ['EC2 Instance Rebalance Recommendation'] },
  InstanceStateChange: { source: ['aws.ec2'], detailType: ['EC2 Instance State-change Notification'] },
  ScheduledChange: { source: ['aws.health'], detailType: ['AWS Health Event'] },
} as const satisfies Record<string, events.EventPattern>;

export interface KarpenterInterruptionProps {
  readonly queueName: string;
}

/** The SQS queue Karpenter watches for spot interruptions, rebalances, state and scheduled changes. */
export class KarpenterInterruption extends Construct {
  readonly queue: sqs.Queue;

  constructor(scope: Construct, id: string, props: KarpenterInterruptionProps) {
    super(scope, id);
    this.queue = new sqs.Queue(this, 'Resource', {
      queueName: props.queueName,
      retentionPeriod: Duration.minutes(5),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    this.queue.addToResourcePolicy(
      new iam.PolicyStatement({
        actions: ['sqs:SendMessage'],
        principals: [new iam.ServicePrincipal('events.amazonaws.com'), new iam.ServicePrincipal('sqs.amazonaws.com')],
        resources: [this.queue.queueArn],
      }),
    );
    for (const [name, pattern] of Object.entries(INTERRUPTION_EVENT_PATTERNS)) {
      new events.Rule(this, `${name}Rule`, {
        eventPattern: { source: [...pattern.source], detailType: [...pattern.detailType] },
        targets: [new targets.SqsQueue(this.queue)],
      });
    }
    acknowledge(
      this,
      'interruption notices are only useful for minutes: a dead-letter queue would hold stale notices, and Karpenter reconciles nodes anyway',
      ['AwsSolutions-SQS3', 'Serverless-SQSRedrivePolicy', 'Serverless-EventBusDLQ'],
    );
  }
}
