import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

/** AWS services that publish to a topic on the account's behalf. */
export type PublishingService = 'cloudwatch' | 'budgets';

export interface TopicKeyProps {
  readonly description: string;
  /** Services that publish to topics under this key: the key policy lets them use it. */
  readonly services: readonly PublishingService[];
}

/**
 * A customer-managed key for SNS topics. The AWS-managed `aws/sns` key cannot be used by
 * CloudWatch alarms or AWS Budgets (its policy cannot be changed), so their messages to an
 * encrypted topic would be dropped; this key's policy lets them encrypt (AWS docs: "Configuring
 * encryption for CloudWatch alarm actions", "Budgets SNS topic encryption"). Rotation is on.
 */
export class TopicKey extends Construct {
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: TopicKeyProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.key = new kms.Key(this, 'Resource', {
      description: props.description,
      enableKeyRotation: true,
    });
    const actions = ['kms:Decrypt', 'kms:GenerateDataKey*'];
    if (props.services.includes('cloudwatch')) {
      this.key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'CloudWatchAlarms',
          principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
          actions,
          resources: ['*'],
        }),
      );
    }
    if (props.services.includes('budgets')) {
      this.key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'Budgets',
          principals: [new iam.ServicePrincipal('budgets.amazonaws.com')],
          actions,
          resources: ['*'],
          conditions: {
            StringEquals: { 'aws:SourceAccount': stack.account },
            ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:budgets::${stack.account}:*` },
          },
        }),
      );
    }
  }
}

export interface AlertTopicProps {
  readonly topicName: string;
  readonly key: kms.IKey;
  /** Services that publish to it: the topic policy lets them (CloudWatch needs none in-account). */
  readonly services: readonly PublishingService[];
  /** Email subscribers (each confirms once, from the email AWS sends). */
  readonly emails: readonly string[];
}

/** An encrypted, TLS-only SNS topic that CloudWatch alarms and AWS Budgets can publish to. */
export class AlertTopic extends Construct {
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: AlertTopicProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.topic = new sns.Topic(this, 'Resource', {
      topicName: props.topicName,
      masterKey: props.key,
      enforceSSL: true,
    });
    if (props.services.includes('budgets')) {
      this.topic.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'Budgets',
          principals: [new iam.ServicePrincipal('budgets.amazonaws.com')],
          actions: ['sns:Publish'],
          resources: [this.topic.topicArn],
          conditions: {
            StringEquals: { 'aws:SourceAccount': stack.account },
            ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:budgets::${stack.account}:*` },
          },
        }),
      );
    }
    if (props.services.includes('cloudwatch')) {
      this.topic.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'CloudWatchAlarms',
          principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
          actions: ['sns:Publish'],
          resources: [this.topic.topicArn],
          conditions: {
            StringEquals: { 'aws:SourceAccount': stack.account },
            ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*` },
          },
        }),
      );
    }
    for (const email of props.emails) this.topic.addSubscription(new subscriptions.EmailSubscription(email));
  }
}
