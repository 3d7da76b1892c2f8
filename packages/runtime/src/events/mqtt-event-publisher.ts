import { type JobStatus, nextJobStatus, type PipelineEvent, PipelineEventSchema, topics } from '@aerial/contracts';
import type { MqttClient } from 'mqtt';

/** Where pipeline events go: the engines, the stage runner, Publish and Notify all send through one. */
export interface EventPublisher {
  /** Publishes the event and, retained, the job's status after it. */
  publish(event: PipelineEvent): Promise<void>;
  /**
   * Publishes the event alone: for a sender that does not own the job's status (Publish's
   * `job.published`, sent while the job is still running).
   */
  announce(event: PipelineEvent): Promise<void>;
  /** Publishes `payload` as JSON on `topic`, retained (Notify's last word on a job). */
  publishRetained(topic: string, payload: unknown): Promise<void>;
  /** Where it publishes, without the credentials a URL may carry (safe to log and store). */
  readonly broker: string;
  /** Sends what is queued (for at most `drainMs`), then disconnects. */
  close(drainMs?: number): Promise<void>;
}

export interface ConnectOptions {
  readonly username?: string;
  readonly password?: string;
  readonly clientId?: string;
  /**
   * Reconnect after a dropped connection (a long-lived engine or stage process). A one-shot
   * sender (Notify's delivery) fails at once instead, so its target is reported failed. @default true
   */
  readonly reconnect?: boolean;
}

/**
 * Publishes pipeline events to MQTT: every event on the job's event topic (QoS 1), and the job's
 * status after it, retained, so that a page opened late sees where the job stands. The one MQTT
 * publishing path of the platform.
 */
export class MqttEventPublisher implements EventPublisher {
  private readonly status = new Map<string, JobStatus>();
  private queue: Promise<void> = Promise.resolve();

  private constructor(
    private readonly client: MqttClient,
    readonly broker: string,
  ) {}

  /** Connects to `url` (mqtt:, mqtts:, ws:, wss:); rejects with the broker's answer if it refuses. */
  static async connect(url: string, options: ConnectOptions = {}): Promise<MqttEventPublisher> {
    const { reconnect = true, ...credentials } = options;
    // Loaded when used: the package index is loaded by every stage process, most never speak MQTT.
    const mqtt = await import('mqtt');
    const client = await mqtt.connectAsync(url, {
      ...credentials,
      reconnectPeriod: reconnect ? 1000 : 0,
      connectTimeout: 5000,
      protocolVersion: 4,
    });
    return new MqttEventPublisher(client, new URL(url).host);
  }

  /**
   * Publishes in call order, one event (and its status) at a time: callers fire and forget, and
   * without the queue a late progress status could land after the final one and stay retained.
   */
  publish(raw: PipelineEvent): Promise<void> {
    const event = PipelineEventSchema.parse(raw);
    const status = nextJobStatus(this.status.get(event.jobId), event);
    this.status.set(event.jobId, status);
    if (status.state === 'succeeded' || status.state === 'failed' || status.state === 'cancelled')
      this.status.delete(event.jobId);
    return this.enqueue(async () => {
      await this.client.publishAsync(topics.jobEvents(event.jobId), JSON.stringify(event), { qos: 1 });
      await this.client.publishAsync(topics.jobStatus(event.jobId), JSON.stringify(status), { qos: 1, retain: true });
    });
  }

  announce(raw: PipelineEvent): Promise<void> {
    const event = PipelineEventSchema.parse(raw);
    return this.enqueue(async () => {
      await this.client.publishAsync(topics.jobEvents(event.jobId), JSON.stringify(event), { qos: 1 });
    });
  }

  publishRetained(topic: string, payload: unknown): Promise<void> {
    return this.enqueue(async () => {
      await this.client.publishAsync(topic, JSON.stringify(payload), { qos: 1, retain: true });
    });
  }

  /**
   * Sends what is queued, then disconnects. A broker gone for good must not keep a finished stage
   * process alive: after `drainMs` what is still unsent is dropped.
   */
  async close(drainMs = 5000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([
      this.queue.then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), drainMs))),
    ]);
    clearTimeout(timer);
    await this.client.endAsync(!drained);
  }

  private enqueue(send: () => Promise<void>): Promise<void> {
    const sent = this.queue.then(send);
    this.queue = sent.catch(() => undefined);
    return sent;
  }
}

/** A publisher for `url` when one is configured (MQTT_URL), or undefined: events then go nowhere. */
export async function connectEventPublisher(
  url: string | undefined,
  options: ConnectOptions = {},
): Promise<MqttEventPublisher | undefined> {
  return url ? MqttEventPublisher.connect(url, options) : undefined;
}

/**
 * Sends through the process's publisher when it has one; otherwise through a connection to `url`
 * made for this send alone (a stage run in an engine's process), closed after it. One code path
 * for every one-off message: Publish's announcement, Notify's MQTT delivery.
 */
export async function sendThrough<T>(
  publisher: EventPublisher | undefined,
  url: string,
  send: (publisher: EventPublisher) => Promise<T>,
): Promise<T> {
  if (publisher) return send(publisher);
  const once = await MqttEventPublisher.connect(url, { reconnect: false });
  try {
    return await send(once);
  } finally {
    await once.close().catch(() => undefined);
  }
}
