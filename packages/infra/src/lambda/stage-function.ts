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
import { type Deliver, deliverByDefault, notifyStage } from '@aerial/pipeline/lib/stages/notify/notify-stage';
import { stageMetricLine } from '@aerial/pipeline/lib/metrics/stage-metrics';
import { runStage, type StageHandler } from '@aerial/pipeline/lib/stages/stage-runtime';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';

const ses = new SESv2Client({});
const sns = new SNSClient({});

/** In AWS, email goes through SES and the MQTT-bound outcome through the notifications topic. */
export const deliverInAws: Deliver = async (target: NotifyTarget, message) => {
  const subject = `Aerial job ${String(message.jobId)} ${String(message.outcome)}`;
  try {
    if (target.kind === 'email') {
      await ses.send(
        new SendEmailCommand({
          FromEmailAddress: process.env.SENDER_EMAIL,
          Destination: { ToAddresses: [target.address] },
          Content: {
            Simple: { Subject: { Data: subject }, Body: { Text: { Data: JSON.stringify(message, null, 2) } } },
          },
        }),
      );
      return { target: 'email', status: 'sent', detail: target.address };
    }
    if (target.kind === 'mqtt') {
      await sns.send(
        new PublishCommand({
          TopicArn: process.env.NOTIFY_TOPIC_ARN,
          Subject: subject.slice(0, 100),
          Message: JSON.stringify(message),
        }),
      );
      return { target: 'mqtt', status: 'sent', detail: 'published to the notifications topic' };
    }
  } catch (e) {
    return { target: target.kind, status: 'failed', detail: (e as Error).message };
  }
  return deliverByDefault(target, message);
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
