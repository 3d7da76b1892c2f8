import { type LambdaVariable, type RuntimeVariable, type StageProcessVariable } from '@aerial/contracts';

/*
 * The variables the infra sets, each under the very name a loader reads (the contracts' schemas):
 * a renamed variable fails to compile here, not to run in AWS.
 */

/** What every stage (container or Lambda) is told about where it runs. */
export const STAGE_ENVIRONMENT = {
  environment: 'AERIAL_ENV' satisfies RuntimeVariable,
  objectStore: 'OBJECT_STORE' satisfies RuntimeVariable,
  uploadsStore: 'UPLOADS_STORE' satisfies RuntimeVariable,
  /** Where Publish writes the products (the published bucket); only the Publish stage has it. */
  publishedStore: 'PUBLISHED_STORE' satisfies RuntimeVariable,
  stage: 'AERIAL_STAGE' satisfies StageProcessVariable,
  /**
   * The deployed environment config (JSON), for the function stages: GuardBudget must refuse jobs
   * against the budget this deployment set (context overrides included), not the shipped default.
   */
  environmentConfig: 'AERIAL_ENVIRONMENT_CONFIG' satisfies LambdaVariable,
  /** Container stages print an embedded-metric-format line per attempt. */
  metrics: 'AERIAL_METRICS' satisfies StageProcessVariable,
} as const;

/**
 * What the Notify Lambda reads. Mail settings are runtime-config variables; the webhook secret
 * arrives as its Secrets Manager ARN (a secret's value never sits in a Lambda's environment) and
 * is read at cold start.
 */
export const NOTIFY_ENVIRONMENT = {
  topicArn: 'NOTIFY_TOPIC_ARN' satisfies LambdaVariable,
  mail: 'AERIAL_MAIL' satisfies RuntimeVariable,
  mailFrom: 'AERIAL_MAIL_FROM' satisfies RuntimeVariable,
  webhookSecret: 'AERIAL_WEBHOOK_SECRET' satisfies RuntimeVariable,
  webhookSecretArn: 'AERIAL_WEBHOOK_SECRET_ARN' satisfies LambdaVariable,
} as const;

/** What the operations Lambdas read. */
export const OPERATIONS_ENVIRONMENT = {
  computeEnvironments: 'COMPUTE_ENVIRONMENTS' satisfies LambdaVariable,
  monthlyBudgetUsd: 'MONTHLY_BUDGET_USD' satisfies LambdaVariable,
  jobQueues: 'JOB_QUEUES' satisfies LambdaVariable,
  stateMachineArn: 'STATE_MACHINE_ARN' satisfies RuntimeVariable,
} as const;
