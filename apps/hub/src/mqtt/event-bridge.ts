import { jobIdFromTopic, type PipelineEvent, PipelineEventSchema, topics } from '@aerial/contracts';
import mqtt, { type MqttClient } from 'mqtt';
import { EventEmitter } from 'node:events';
import type { TileDatabase } from '../db/tile-database';

/** Called for each event once it is stored; a failure is counted, not fatal. */
export type OnStoredEvent = (event: PipelineEvent) => Promise<void> | void;

export interface EventBridgeStats {
  stored: number;
  duplicates: number;
  rejected: number;
  lastRejection?: string;
}

/**
 * Subscribes to every job's event topic and stores the events in the tile database. A malformed
 * message (not JSON, not a pipeline event, or about another job than its topic names) is counted
 * and dropped: one bad publisher must not stop the Hub.
 */
export class MqttEventBridge {
  readonly stats: EventBridgeStats = { stored: 0, duplicates: 0, rejected: 0 };
  /** Emits `event` with each newly stored event (live pages subscribe here). */
  readonly live = new EventEmitter().setMaxListeners(1000);

  private constructor(
    private readonly client: MqttClient,
    private readonly tiles: TileDatabase,
    private readonly onStored?: OnStoredEvent,
  ) {}

  /**
   * Connects with a persistent session under a fixed client id, so the broker queues QoS 1 events
   * while the Hub restarts and delivers them when it is back.
   */
  static async start(
    url: string,
    tiles: TileDatabase,
    options: { username?: string; password?: string; clientId?: string; onStored?: OnStoredEvent } = {},
  ): Promise<MqttEventBridge> {
    const { onStored, ...connect } = options;
    const client = await mqtt.connectAsync(url, {
      clientId: 'aerial-hub-bridge',
      ...connect,
      clean: false,
      reconnectPeriod: 1000,
      connectTimeout: 5000,
      protocolVersion: 4,
    });
    const bridge = new MqttEventBridge(client, tiles, onStored);
    client.on('message', (topic, payload) => void bridge.receive(topic, payload));
    await client.subscribeAsync(topics.allJobEvents, { qos: 1 });
    return bridge;
  }

  private async receive(topic: string, payload: Buffer): Promise<void> {
    const reject = (why: string) => {
      this.stats.rejected++;
      this.stats.lastRejection = `${topic}: ${why}`;
    };
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      return reject('not JSON');
    }
    const event = PipelineEventSchema.safeParse(json);
    if (!event.success)
      return reject(
        `not a pipeline event (${event.error.issues[0]?.path.join('.') || 'root'}: ${event.error.issues[0]?.message})`,
      );
    if (jobIdFromTopic(topic) !== event.data.jobId)
      return reject(`event of job ${event.data.jobId} on another job's topic`);
    try {
      if (await this.tiles.recordEvent(event.data)) {
        this.stats.stored++;
        this.live.emit('event', event.data);
        await this.onStored?.(event.data);
      } else this.stats.duplicates++;
    } catch (e) {
      reject(`not stored: ${(e as Error).message}`);
    }
  }

  async stop(): Promise<void> {
    await this.client.endAsync();
  }
}
