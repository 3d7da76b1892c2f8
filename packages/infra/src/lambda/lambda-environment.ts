import { type RuntimeConfig } from '@aerial/contracts';

/** A variable the runtime config reads: the infra sets it under the very name the code reads. */
type RuntimeVariable = keyof RuntimeConfig;

/** What every stage (container or Lambda) is told about where it runs. */
export const STAGE_ENVIRONMENT = {
  environment: 'AERIAL_ENV' satisfies RuntimeVariable,
  objectStore: 'OBJECT_STORE' satisfies RuntimeVariable,
  uploadsStore: 'UPLOADS_STORE' satisfies RuntimeVariable,
  /** Where Publish writes the products (the published bucket); only the Publish stage has it. */
  publishedStore: 'PUBLISHED_STORE',
  stage: 'AERIAL_STAGE',
  /**
   * The deployed environment config (JSON), for the function stages: GuardBudget must refuse jobs
   * against the budget this deployment set (context overrides included), not the shipped default.
   */
  environmentConfig: 'AERIAL_ENVIRONMENT_CONFIG',
} as const;

/**
 * What the Notify Lambda reads. Mail settings are runtime-config variables; the webhook secret
 * arrives as its Secrets Manager ARN (a secret's value never sits in a Lambda's environment) and
 * is read at cold start into `AERIAL_WEBHOOK_SECRET`.
 */
export const NOTIFY_ENVIRONMENT = {
  topicArn: 'NOTIFY_TOPIC_ARN',
  mail: 'AERIAL_MAIL' satisfies RuntimeVariable,
  mailFrom: 'AERIAL_MAIL_FROM' satisfies RuntimeVariable,
  webhookSecret: 'AERIAL_WEBHOOK_SECRET' satisfies RuntimeVariable,
  webhookSecretArn: 'AERIAL_WEBHOOK_SECRET_ARN',
} as const;
