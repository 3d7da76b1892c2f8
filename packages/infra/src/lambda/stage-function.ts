// A function stage (GuardBudget, Notify) as a Lambda. Deep imports keep the bundle free of the
// image-decoding stages, which need sharp and run only in containers.
import {
  AerialError,
  DEFAULT_ENVIRONMENTS,
  loadRuntimeConfig,
  type NotifyTarget,
  type StageName,
  StageNameSchema,
} from '@aerial/contracts';
import { createObjectStore } from '@aerial/pipeline/lib/object-store/create-object-store';
import { guardBudgetStage } from '@aerial/pipeline/lib/stages/guard-budget/guard-budget-stage';
import { type Deliver, emailText, SesMailer, sendWebhook } from '@aerial/pipeline/lib/stages/notify/deliveries';
import { notifyStage } from '@aerial/pipeline/lib/stages/notify/notify-stage';
import { stageMetricLine } from '@aerial/pipeline/lib/metrics/stage-metrics';
import { runStage, type StageHandler } from '@aerial/pipeline/lib/stages/stage-runtime';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';

const mailer = new SesMailer(new SESv2Client({}), process.env.SENDER_EMAIL ?? '');
const sns = new SNSClient({});

/** In AWS, email goes through SES and the MQTT-bound outcome through the notifications topic. */
export const deliverInAws: Deliver = async (target: NotifyTarget, message) => {
  try {
    switch (target.kind) {
      case 'email':
        return {
          target: 'email',
          status: 'sent',
          detail: `${target.address}: ${await mailer.send({ to: target.address, ...emailText(message) })}`,
        };
      case 'mqtt':
        await sns.send(
          new PublishCommand({
            TopicArn: process.env.NOTIFY_TOPIC_ARN,
            Subject: emailText(message).subject.slice(0, 100),
            Message: JSON.stringify(message),
          }),
        );
        return { target: 'mqtt', status: 'sent', detail: 'published to the notifications topic' };
      case 'webhook':
        return sendWebhook(
          target.url,
          message,
          process.env.WEBHOOK_SECRET ? { secret: process.env.WEBHOOK_SECRET } : {},
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

/** Step Functions invokes this with `{ jobId, stage, ... }`; the payload it returns is the stage summary. */
export async function handler(event: Record<string, unknown>): Promise<Record<string, unknown>> {
  const runtime = loadRuntimeConfig(process.env);
  const stage = StageNameSchema.parse(event.stage ?? process.env.AERIAL_STAGE);
  const store = createObjectStore(runtime);
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
      { store, uploads, environment: DEFAULT_ENVIRONMENTS[runtime.AERIAL_ENV], handlers: HANDLERS },
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
