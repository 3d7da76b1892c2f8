import { Duration, Stack } from 'aws-cdk-lib';
import type * as batch from 'aws-cdk-lib/aws-batch';
import * as budgets from 'aws-cdk-lib/aws-budgets';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { acknowledge } from '../nag/acknowledge';
import { NodeFunction } from '../pipeline/node-function';
import { OPERATIONS_ENVIRONMENT } from '../lambda/lambda-environment';

export interface BudgetGuardrailsProps {
  readonly namePrefix: string;
  readonly monthlyUsd: number;
  readonly alertTopic: sns.ITopic;
  readonly alertEmails: readonly string[];
  /** Compute environments to throttle, with their configured max vCPUs. */
  readonly computeEnvironments: readonly batch.IManagedComputeEnvironment[];
  readonly logRetention: logs.RetentionDays;
}

/**
 * The environment's AWS Budget (alerts at 80 % and 100 % of actual spend, and at 100 % forecast)
 * and a daily throttle that lowers Batch capacity when spend runs ahead of the prorated budget.
 * GuardBudget, the first stage of every job, refuses jobs against the same figure.
 */
export class BudgetGuardrails extends Construct {
  readonly budget: budgets.CfnBudget;
  readonly throttle: NodeFunction;

  constructor(scope: Construct, id: string, props: BudgetGuardrailsProps) {
    super(scope, id);
    const subscribers = [
      { subscriptionType: 'SNS', address: props.alertTopic.topicArn },
      ...props.alertEmails.map((address) => ({ subscriptionType: 'EMAIL', address })),
    ];
    const notification = (threshold: number, notificationType: 'ACTUAL' | 'FORECASTED') => ({
      notification: { notificationType, comparisonOperator: 'GREATER_THAN', threshold, thresholdType: 'PERCENTAGE' },
      subscribers,
    });
    this.budget = new budgets.CfnBudget(this, 'Resource', {
      budget: {
        budgetName: `${props.namePrefix}-monthly`,
        budgetType: 'COST',
        timeUnit: 'MONTHLY',
        budgetLimit: { amount: props.monthlyUsd, unit: 'USD' },
      },
      notificationsWithSubscribers: [
        notification(80, 'ACTUAL'),
        notification(100, 'ACTUAL'),
        notification(100, 'FORECASTED'),
      ],
    });
    // The topic's own policy and key let Budgets publish (observability/alert-topic.ts).

    this.throttle = new NodeFunction(this, 'Throttle', {
      handler: 'budget-throttle',
      description: 'Aerial: lower Batch capacity when spending runs ahead of the budget',
      logRetention: props.logRetention,
      timeout: Duration.minutes(1),
      asynchronous: true,
      environment: {
        [OPERATIONS_ENVIRONMENT.monthlyBudgetUsd]: String(props.monthlyUsd),
        [OPERATIONS_ENVIRONMENT.computeEnvironments]: Stack.of(this).toJsonString(
          Object.fromEntries(props.computeEnvironments.map((ce) => [ce.computeEnvironmentArn, ce.maxvCpus ?? 256])),
        ),
      },
    });
    this.throttle.function.addToRolePolicy(
      // Cost Explorer has no resource-level permissions.
      new iam.PolicyStatement({ actions: ['ce:GetCostAndUsage'], resources: ['*'] }),
    );
    this.throttle.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['batch:UpdateComputeEnvironment'],
        resources: props.computeEnvironments.map((ce) => ce.computeEnvironmentArn),
      }),
    );
    // The desired vCPUs of running jobs, below which the maximum must not go; no resource ARN.
    this.throttle.function.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['batch:DescribeComputeEnvironments'], resources: ['*'] }),
    );
    new events.Rule(this, 'Daily', {
      description: 'check spending against the budget every morning',
      schedule: events.Schedule.cron({ minute: '15', hour: '6' }),
      targets: [new targets.LambdaFunction(this.throttle.function, { deadLetterQueue: this.throttle.deadLetterQueue })],
    });
    acknowledge(
      this.throttle.function,
      'Cost Explorer, batch:DescribeComputeEnvironments and X-Ray have no resource-level permissions',
      ['AwsSolutions-IAM5[Resource::*]'],
    );
  }
}
