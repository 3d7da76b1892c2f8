import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { type NotifyTarget, type RuntimeConfig, topics } from '@aerial/contracts';
import { type EventPublisher, sendThrough } from '@aerial/runtime';
import { createHmac } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** How one notification target fared. */
export interface Delivery {
  readonly target: NotifyTarget['kind'];
  readonly status: 'sent' | 'failed' | 'skipped';
  readonly detail: string;
}

export type Deliver = (target: NotifyTarget, message: NotificationMessage) => Promise<Delivery>;

export interface NotificationMessage {
  readonly jobId: string;
  readonly outcome: 'succeeded' | 'failed';
  readonly label?: string;
  readonly error?: { name: string; reason: string; remedy?: string };
  readonly [key: string]: unknown;
}

/** Sends an email; returns where it went (a file path or a message id). */
export interface Mailer {
  send(mail: { to: string; subject: string; text: string }): Promise<string>;
}

/** Writes each email as an RFC 5322 `.eml` file: the local stand-in for a mail service. */
export class EmlFileMailer implements Mailer {
  constructor(
    private readonly dir: string,
    private readonly from: string,
  ) {}

  async send(mail: { to: string; subject: string; text: string }): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    const date = new Date();
    const path = join(
      this.dir,
      `${date.toISOString().replace(/[:.]/g, '-')}-${Math.random().toString(16).slice(2, 8)}.eml`,
    );
    const body = [
      `From: ${this.from}`,
      `To: ${mail.to}`,
      `Subject: ${mail.subject.replace(/[\r\n]+/g, ' ')}`,
      `Date: ${date.toUTCString()}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      mail.text,
      '',
    ].join('\r\n');
    await writeFile(path, body);
    return path;
  }
}

/** Amazon SES v2. */
export class SesMailer implements Mailer {
  constructor(
    /** Made on first use when not given (the SDK is loaded only then). */
    private client: SESv2Client | undefined,
    private readonly from: string,
  ) {}

  async send(mail: { to: string; subject: string; text: string }): Promise<string> {
    const { SendEmailCommand, SESv2Client } = await import('@aws-sdk/client-sesv2');
    this.client ??= new SESv2Client({});
    const out = await this.client.send(
      new SendEmailCommand({
        FromEmailAddress: this.from,
        Destination: { ToAddresses: [mail.to] },
        Content: { Simple: { Subject: { Data: mail.subject }, Body: { Text: { Data: mail.text } } } },
      }),
    );
    return out.MessageId ?? 'sent';
  }
}

export interface WebhookOptions {
  readonly secret?: string;
  /** @default 3 */
  readonly attempts?: number;
  /** First retry delay; doubles each time. @default 1000 */
  readonly backoffMs?: number;
  /** @default 10000 */
  readonly timeoutMs?: number;
}

/** The signature a receiver recomputes: HMAC-SHA256 over `<timestamp>.<body>`, hex. */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** POSTs the message, retrying network errors, 429 and 5xx with exponential backoff. */
export async function sendWebhook(
  url: string,
  message: NotificationMessage,
  o: WebhookOptions = {},
): Promise<Delivery> {
  const body = JSON.stringify(message);
  const attempts = o.attempts ?? 3;
  let last = '';
  let made = 0;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    made = attempt;
    const timestamp = String(Math.floor(Date.now() / 1000));
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'aerial-platform-notify',
          'x-aerial-timestamp': timestamp,
          ...(o.secret ? { 'x-aerial-signature': `sha256=${webhookSignature(o.secret, timestamp, body)}` } : {}),
        },
        body,
        signal: AbortSignal.timeout(o.timeoutMs ?? 10_000),
      });
      if (response.ok) {
        return {
          target: 'webhook',
          status: 'sent',
          detail: `${url} answered ${response.status} (attempt ${attempt}${o.secret ? ', signed' : ', unsigned: no AERIAL_WEBHOOK_SECRET'})`,
        };
      }
      last = `${url} answered ${response.status}`;
      if (response.status !== 429 && response.status < 500) break;
    } catch (e) {
      last = `${url}: ${(e as Error).message}`;
    }
    if (attempt < attempts) await new Promise((r) => setTimeout(r, (o.backoffMs ?? 1000) * 2 ** (attempt - 1)));
  }
  return { target: 'webhook', status: 'failed', detail: `${last} after ${made} attempt(s)` };
}

/** What Notify's one delivery is built from: the process's configuration and its clients. */
export interface DeliveryServices {
  readonly mailer: Mailer;
  /** Signs webhooks; unsigned without it. */
  readonly webhookSecret?: string;
  /**
   * Tells the outcome to MQTT subscribers: to the broker locally and on Kubernetes, through the
   * notifications topic in AWS. Undefined when nothing is configured: the target is skipped.
   */
  readonly mqtt?: (message: NotificationMessage) => Promise<string>;
}

/**
 * The one delivery, on every engine: the local run and the Lambda differ only in the services
 * they give it. Each target is tried on its own; a failure is that target's.
 */
export function createDeliver(services: DeliveryServices): Deliver {
  return async (target, message) => {
    switch (target.kind) {
      case 'webhook':
        return sendWebhook(target.url, message, services.webhookSecret ? { secret: services.webhookSecret } : {});
      case 'email':
        try {
          const where = await services.mailer.send({ to: target.address, ...emailText(message) });
          return { target: 'email', status: 'sent', detail: `${target.address}: ${where}` };
        } catch (e) {
          return { target: 'email', status: 'failed', detail: `${target.address}: ${(e as Error).message}` };
        }
      case 'mqtt':
        if (!services.mqtt) {
          return {
            target: 'mqtt',
            status: 'skipped',
            detail: 'no MQTT_URL configured; set it to the broker, such as mqtt://localhost:1883',
          };
        }
        try {
          return { target: 'mqtt', status: 'sent', detail: await services.mqtt(message) };
        } catch (e) {
          return { target: 'mqtt', status: 'failed', detail: (e as Error).message };
        }
    }
  };
}

/**
 * The services of a stage process or an engine: email as `.eml` files (or SES), the notification
 * retained on the job's MQTT topic through the process's publisher (or a connection made for it).
 */
export function localDeliveryServices(
  config: Pick<
    RuntimeConfig,
    'AERIAL_MAIL' | 'AERIAL_MAIL_FROM' | 'AERIAL_DATA_DIR' | 'AERIAL_WEBHOOK_SECRET' | 'MQTT_URL'
  >,
  events?: EventPublisher,
): DeliveryServices {
  const url = config.MQTT_URL;
  return {
    mailer:
      config.AERIAL_MAIL === 'ses'
        ? new SesMailer(undefined, config.AERIAL_MAIL_FROM)
        : new EmlFileMailer(join(config.AERIAL_DATA_DIR, 'mail'), config.AERIAL_MAIL_FROM),
    ...(config.AERIAL_WEBHOOK_SECRET ? { webhookSecret: config.AERIAL_WEBHOOK_SECRET } : {}),
    ...(url
      ? {
          mqtt: async (message: NotificationMessage) => {
            const topic = topics.jobNotification(message.jobId);
            // The broker's address without the credentials a URL may carry: the detail is stored.
            const broker = new URL(url).host;
            try {
              await sendThrough(events, url, (publisher) => publisher.publishRetained(topic, message));
            } catch (e) {
              throw new Error(`${broker}: ${(e as Error).message}`);
            }
            return `${broker} ${topic}`;
          },
        }
      : {}),
  };
}

/** Subject and plain-text body of the job's email. */
export function emailText(message: NotificationMessage): { subject: string; text: string } {
  const name = message.label ? `"${message.label}" (${message.jobId})` : message.jobId;
  if (message.outcome === 'failed') {
    const e = message.error;
    return {
      subject: `Aerial job ${message.jobId} failed${e ? `: ${e.name}` : ''}`,
      text: `Job ${name} failed.\n\n${e ? `${e.name}: ${e.reason}\n${e.remedy ? `What to do: ${e.remedy}\n` : ''}` : ''}\nNothing was published.\n`,
    };
  }
  return {
    subject: `Aerial job ${message.jobId} succeeded`,
    text: `Job ${name} succeeded.\n\n${JSON.stringify(message.stages ?? {}, null, 2)}\n`,
  };
}
