// A function stage (GuardBudget, Notify) as a Lambda. Deep imports keep the bundle free of the
// image-decoding stages, which need sharp and run only in containers.
import {
  AerialError,
  DEFAULT_ENVIRONMENTS,
  type EnvironmentConfig,
  EnvironmentConfigSchema,
  keys,
  loadRuntimeConfig,
  type NotifyTarget,
  type StageName,
  StageNameSchema,
} from '@aerial/contracts';
import { createObjectStore } from '@aerial/runtime';
import { guardBudgetStage } from '@aerial/function-stages';
import { type Deliver, emailText, SesMailer, sendWebhook } from '@aerial/function-stages';
import { notifyStage } from '@aerial/function-stages';
import { stageMetricLine } from '@aerial/runtime';
import { runStage, type StageHandler } from '@aerial/runtime';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { isExecutionStatusChange, notifyInvocationFor } from './job-ended';
import { NOTIFY_ENVIRONMENT, STAGE_ENVIRONMENT } from './lambda-environment';

const sns = new SNSClient({});
let mailer: SesMailer | undefined;
let secretsLoaded: Promise<void> | undefined;

/**
 * Once per cold start: the webhook secret from Secrets Manager into the variable the runtime
 * config reads, so that the code signs webhooks as it does everywhere else.
 */
export function loadSecrets(
  env: Record<string, string | undefined> = process.env,
  client: Pick<SecretsManagerClient, 'send'> = new SecretsManagerClient({}),
): Promise<void> {
  secretsLoaded ??= (async () => {
    const arn = env[NOTIFY_ENVIRONMENT.webhookSecretArn];
    if (!arn || env[NOTIFY_ENVIRONMENT.webhookSecret]) return;
    const out = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    if (out.SecretString) env[NOTIFY_ENVIRONMENT.webhookSecret] = out.SecretString;
  })().catch((e: unknown) => {
    secretsLoaded = undefined;
    throw e;
  });
  return secretsLoaded;
}

/** In AWS, email goes through SES and the MQTT-bound outcome through the notifications topic. */
export const deliverInAws: Deliver = async (target: NotifyTarget, message) => {
  try {
    switch (target.kind) {
      case 'email':
        mailer ??= new SesMailer(new SESv2Client({}), loadRuntimeConfig(process.env).AERIAL_MAIL_FROM);
        return {
          target: 'email',
          status: 'sent',
          detail: `${target.address}: ${await mailer.send({ to: target.address, ...emailText(message) })}`,
        };
      case 'mqtt':
        await sns.send(
          new PublishCommand({
            TopicArn: process.env[NOTIFY_ENVIRONMENT.topicArn],
            Subject: emailText(message).subject.slice(0, 100),
            Message: JSON.stringify(message),
          }),
        );
        return { target: 'mqtt', status: 'sent', detail: 'published to the notifications topic' };
      case 'webhook':
        return sendWebhook(
          target.url,
          message,
          process.env[NOTIFY_ENVIRONMENT.webhookSecret]
            ? { secret: process.env[NOTIFY_ENVIRONMENT.webhookSecret] }
            : {},
        );
    }
  } catch (e) {
    return { target: target.kind, status: 'failed', detail: (e as Error).message };
  }
};

const HANDLERS: Partial<Record<StageName, StageHandler>> = {
  GuardBudget: guardBudgetStage,
  Notify: notifyStage(deliverInAws),
};

/**
 * Step Functions invokes this with `{ jobId, stage, ... }`; the payload it returns is the stage
 * summary. EventBridge invokes Notify with a job that ended without it (timeout, abort, a failed
 * Notify): it reports the job unless Notify already did.
 */
export async function handler(event: Record<string, unknown>): Promise<Record<string, unknown>> {
  await loadSecrets();
  const runtime = loadRuntimeConfig(process.env);
  const store = createObjectStore(runtime);
  if (isExecutionStatusChange(event)) {
    const invocation = notifyInvocationFor(event, 'Notify');
    if (!invocation) return { skipped: 'not an Aerial job that ended unreported' };
    if (await store.head(keys.manifest(invocation.jobId, 'Notify')))
      return { skipped: `job ${invocation.jobId} was reported by its Notify state` };
    event = { ...invocation };
  }
  const stage = StageNameSchema.parse(event.stage ?? process.env.AERIAL_STAGE);
  const uploads = runtime.UPLOADS_STORE ? createObjectStore(runtime, runtime.UPLOADS_STORE) : store;
  const started = Date.now();
  // Lambda turns these embedded-metric-format lines into the Aerial stage metrics.
  const metric = (failed: boolean) =>
    process.stdout.write(
      `${stageMetricLine({ stage, environment: runtime.AERIAL_ENV, seconds: (Date.now() - started) / 1000, failed })}\n`,
    );
  try {
    const manifest = await runStage(
      { ...event, stage },
      { store, uploads, environment: deployedEnvironment(runtime.AERIAL_ENV), handlers: HANDLERS },
    );
    metric(false);
    return manifest.summary;
  } catch (e) {
    metric(true);
    // Lambda reports the error's name as the Step Functions error: keep the Aerial name.
    const error = AerialError.from(e);
    const thrown = new Error(error.reason);
    thrown.name = error.name;
    throw thrown;
  }
}

/** The environment as deployed (infra passes it, overrides included); the shipped default otherwise. */
export function deployedEnvironment(
  name: EnvironmentConfig['name'],
  env: Record<string, string | undefined> = process.env,
): EnvironmentConfig {
  const text = env[STAGE_ENVIRONMENT.environmentConfig];
  if (!text) return DEFAULT_ENVIRONMENTS[name];
  const config = EnvironmentConfigSchema.parse(JSON.parse(text));
  if (config.name !== name)
    throw new Error(`${STAGE_ENVIRONMENT.environmentConfig} is for ${config.name}, not ${name}`);
  return config;
}
