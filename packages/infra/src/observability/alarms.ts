/**
 * The CloudWatch alarms every environment has, by construct id (the alarm is named
 * `<namePrefix>-<id>`), and the topic each notifies. The runbook (docs/content/runbooks/alarms.md)
 * has a section per id; the docs test fails when one is missing.
 */
export const AERIAL_ALARMS = {
  /** A job's execution failed (any named error, or a stage that exhausted its retries). */
  JobsFailed: 'warning',
  /** A job ran past the pipeline's whole-job limit. */
  JobsTimedOut: 'critical',
  /** The job API answered with more than 5 server errors in 5 minutes. */
  Api5xx: 'critical',
  /** Notify could not deliver a job's outcome: messages wait in its dead-letter queue. */
  NotificationsUndelivered: 'critical',
  /** The Lambdas (function stages, start job, budget throttle) failed more than 3 times in 5 minutes. */
  LambdaErrors: 'warning',
} as const satisfies Record<string, 'critical' | 'warning'>;

export type AerialAlarmId = keyof typeof AERIAL_ALARMS;
