// A function stage (GuardBudget, Notify) as a Lambda. The function-stages package keeps the bundle
// free of the image-decoding stages, which need sharp and run only in containers.
import {
  AerialError,
  DEFAULT_ENVIRONMENTS,
  type EnvironmentConfig,
  EnvironmentConfigSchema,
  keys,
  type LambdaEnv,
  type RuntimeConfig,
  type StageName,
  StageNameSchema,
} from '@aerial/contracts';
import {
  createDeliver,
  type DeliveryServices,
  emailText,
  guardBudgetStage,
  notifyStage,
  SesMailer,
} from '@aerial/function-stages';
import {
  createLogger,
  createObjectStore,
  loadLambdaEnv,
  loadProcessConfig,
  loadStageProcessEnv,
  runStage,
  type StageHandler,
  stageMetricLine,
} from '@aerial/runtime';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { isExecutionStatusChange, notifyInvocationFor } from './job-ended';
import { STAGE_ENVIRONMENT } from './lambda-environment';

const sns = new SNSClient({});
const ses = new SESv2Client({});
let secretLoaded: Promise<string | undefined> | undefined;

/**
 * Once per cold start: the webhook secret from Secrets Manager (a secret's value never sits in a
 * Lambda's environment; its ARN does). A secret set directly (AERIAL_WEBHOOK_SECRET) wins.
 */
export function webhookSecret(
  config: Pick<RuntimeConfig, 'AERIAL_WEBHOOK_SECRET'>,
  env: Pick<LambdaEnv, 'AERIAL_WEBHOOK_SECRET_ARN'>,
  client: Pick<SecretsManagerClient, 'send'> = new SecretsManagerClient({}),
): Promise<string | undefined> {
  if (config.AERIAL_WEBHOOK_SECRET || !env.AERIAL_WEBHOOK_SECRET_ARN)
    return Promise.resolve(config.AERIAL_WEBHOOK_SECRET);
  const arn = env.AERIAL_WEBHOOK_SECRET_ARN;
  secretLoaded ??= (async () => {
    const out = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    return out.SecretString;
  })().catch((e: unknown) => {
    secretLoaded = undefined;
    throw e;
  });
  return secretLoaded;
}

/** Notify's delivery services in AWS: SES for email, the notifications topic for the MQTT-bound outcome. */
export function awsDeliveryServices(
  config: Pick<RuntimeConfig, 'AERIAL_MAIL_FROM'>,
  env: Pick<LambdaEnv, 'NOTIFY_TOPIC_ARN'>,
  secret: string | undefined,
): DeliveryServices {
  return {
    mailer: new SesMailer(ses, config.AERIAL_MAIL_FROM),
    ...(secret ? { webhookSecret: secret } : {}),
    mqtt: async (message) => {
      await sns.send(
        new PublishCommand({
          TopicArn: env.NOTIFY_TOPIC_ARN,
          Subject: emailText(message).subject.slice(0, 100),
          Message: JSON.stringify(message),
        }),
      );
      return 'published to the notifications topic';
    },
  };
}

/**
 * Step Functions invokes this with `{ jobId, stage, ... }`; the payload it returns is the stage
 * summary. EventBridge invokes Notify with a job that ended without it (timeout, abort, a failed
 * Notify): it reports the job unless Notify already did.
 */
export async function handler(event: Record<string, unknown>): Promise<Record<string, unknown>> {
  const config = loadProcessConfig();
  const lambda = loadLambdaEnv();
  const log = createLogger({ name: 'stage-function', level: config.LOG_LEVEL });
  const secret = await webhookSecret(config, lambda);
  const store = createObjectStore(config);
  if (isExecutionStatusChange(event)) {
    const invocation = notifyInvocationFor(event, 'Notify');
    if (!invocation) return { skipped: 'not an Aerial job that ended unreported' };
    if (await store.head(keys.manifest(invocation.jobId, 'Notify')))
      return { skipped: `job ${invocation.jobId} was reported by its Notify state` };
    event = { ...invocation };
  }
  const stage = StageNameSchema.parse(event.stage ?? loadStageProcessEnv().AERIAL_STAGE);
  const uploads = config.UPLOADS_STORE ? createObjectStore(config, config.UPLOADS_STORE) : store;
  const handlers: Partial<Record<StageName, StageHandler>> = {
    GuardBudget: guardBudgetStage,
    Notify: notifyStage(createDeliver(awsDeliveryServices(config, lambda, secret))),
  };
  const started = Date.now();
  // Lambda turns these embedded-metric-format lines into the Aerial stage metrics.
  const metric = (failed: boolean) =>
    process.stdout.write(
      `${stageMetricLine({ stage, environment: config.AERIAL_ENV, seconds: (Date.now() - started) / 1000, failed })}\n`,
    );
  try {
    const manifest = await runStage(
      { ...event, stage },
      { store, uploads, environment: deployedEnvironment(config.AERIAL_ENV, lambda), config, log, handlers },
    );
    metric(false);
    return manifest.summary;
  } catch (e) {
    metric(true);
    // Lambda reports the error's name as the Step Functions error: keep the Aerial name.
    const error = AerialError.from(e);
    log.error({ err: error, stage }, `${stage} failed: ${error.name}`);
    const thrown = new Error(error.reason);
    thrown.name = error.name;
    throw thrown;
  }
}

/** The environment as deployed (infra passes it, overrides included); the shipped default otherwise. */
export function deployedEnvironment(
  name: EnvironmentConfig['name'],
  env: Pick<LambdaEnv, 'AERIAL_ENVIRONMENT_CONFIG'>,
): EnvironmentConfig {
  const text = env.AERIAL_ENVIRONMENT_CONFIG;
  if (!text) return DEFAULT_ENVIRONMENTS[name];
  const config = EnvironmentConfigSchema.parse(JSON.parse(text));
  if (config.name !== name)
    throw new Error(`${STAGE_ENVIRONMENT.environmentConfig} is for ${config.name}, not ${name}`);
  return config;
}
