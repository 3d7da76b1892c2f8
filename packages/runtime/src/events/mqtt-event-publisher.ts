import { type JobStatus, nextJobStatus, type PipelineEvent, PipelineEventSchema, topics } from '@aerial/contracts';
import type { MqttClient } from 'mqtt';

/**
 * Publishes pipeline events to MQTT: every event on the job's event topic (QoS 1), and the job's
 * status after it, retained, so that a page opened late sees where the job stands.
 */
export class MqttEventPublisher {
  private readonly status = new Map<string, JobStatus>();
  private queue: Promise<void> = Promise.resolve();

  private constructor(private readonly client: MqttClient) {}

  /** Connects to `url` (mqtt:, mqtts:, ws:, wss:); rejects with the broker's answer if it refuses. */
  static async connect(
    url: string,
    options: { username?: string; password?: string; clientId?: string } = {},
  ): Promise<MqttEventPublisher> {
    // Loaded when used: the package index is loaded by every stage process, most never speak MQTT.
    const mqtt = await import('mqtt');
    const client = await mqtt.connectAsync(url, {
      ...options,
      reconnectPeriod: 1000,
      connectTimeout: 5000,
      protocolVersion: 4,
    });
    return new MqttEventPublisher(client);
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
    const sent = this.queue.then(async () => {
      await this.client.publishAsync(topics.jobEvents(event.jobId), JSON.stringify(event), { qos: 1 });
      await this.client.publishAsync(topics.jobStatus(event.jobId), JSON.stringify(status), { qos: 1, retain: true });
    });
    this.queue = sent.catch(() => undefined);
    return sent;
  }

  async close(): Promise<void> {
    await this.queue;
    await this.client.endAsync();
  }
}
