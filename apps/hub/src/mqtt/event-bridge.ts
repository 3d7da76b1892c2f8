import { jobIdFromTopic, type PipelineEvent, PipelineEventSchema, topics } from '@aerial/contracts';
import mqtt, { type MqttClient } from 'mqtt';
import { EventEmitter } from 'node:events';
import { createLogger } from '@aerial/runtime';
import type { EventsRepository } from '../db/events-repository';

/** Called for each event once it is stored; a failure is counted, not fatal. */
export type OnStoredEvent = (event: PipelineEvent) => Promise<void> | void;

/** Dropped messages logged per window; past that, one line says how many more were dropped. */
const LOGGED_PER_WINDOW = 20;
const LOG_WINDOW_MS = 10_000;

/** Without a `log` option, dropped messages are warnings of a logger of the bridge's own. */
const defaultLog = (): ((line: string) => void) => {
  const logger = createLogger({ name: 'hub', level: 'info' }).child({ component: 'mqtt-bridge' });
  return (line) => logger.warn(line);
};

export interface EventBridgeStats {
  stored: number;
  duplicates: number;
  rejected: number;
  lastRejection?: string;
  /** Times a batch waited for the database to come back. */
  waits?: number;
}

/** PostgreSQL (or the way to it) is unavailable, as opposed to refusing this statement. */
export function isConnectionError(e: unknown): boolean {
  const { code, message } = (e ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    // SQLSTATE class 08 (connection exception), 57P01–57P03 (shutdown, cannot connect now).
    if (/^08/.test(code) || /^57P0[1-3]$/.test(code)) return true;
    if (/^E(CONNREFUSED|CONNRESET|PIPE|TIMEDOUT|HOSTUNREACH|NETUNREACH|AI_AGAIN)$/.test(code)) return true;
  }
  return (
    typeof message === 'string' &&
    /Connection terminated|connection ended|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(
      message,
    )
  );
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
  /**
   * Emits `rejected` with `{ topic, reason }` for each dropped message: the broker is shared, so a
   * watcher (a test, an operator's log) filters by topic rather than trusting the global count.
   */
  readonly rejections = new EventEmitter();
  private readonly pending: { topic: string; event: PipelineEvent }[] = [];
  private flushing: Promise<void> | undefined;
  private logWindow = { start: 0, logged: 0, unlogged: 0 };

  private constructor(
    private readonly client: MqttClient,
    private readonly events: EventsRepository,
    private readonly onStored: OnStoredEvent | undefined,
    private readonly log: (line: string) => void,
  ) {}

  /**
   * Connects with a persistent session under a fixed client id, so the broker queues QoS 1 events
   * while the Hub restarts and delivers them when it is back.
   */
  static async start(
    url: string,
    events: EventsRepository,
    options: {
      username?: string;
      password?: string;
      clientId?: string;
      onStored?: OnStoredEvent;
      /** Where each dropped message is logged, as it is dropped. @default a warning on stderr */
      log?: (line: string) => void;
    } = {},
  ): Promise<MqttEventBridge> {
    const { onStored, log, ...connect } = options;
    const client = await mqtt.connectAsync(url, {
      clientId: 'aerial-hub-bridge',
      ...connect,
      clean: false,
      reconnectPeriod: 1000,
      connectTimeout: 5000,
      protocolVersion: 4,
    });
    const bridge = new MqttEventBridge(client, events, onStored, log ?? defaultLog());
    client.on('message', (topic, payload) => void bridge.receive(topic, payload));
    await client.subscribeAsync(topics.allJobEvents, { qos: 1 });
    return bridge;
  }

  private async receive(topic: string, payload: Buffer): Promise<void> {
    const reject = (why: string) => this.reject(topic, why);
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
    this.pending.push({ topic, event: event.data });
    this.flushing ??= this.flush();
  }

  /**
   * Stores what has arrived in batches (one statement for many events), then tells live pages
   * and `onStored`, in arrival order. A batch the database refuses (one event of an unknown job
   * fails the statement) is retried event by event, so that only the bad event is dropped.
   */
  private async flush(): Promise<void> {
    // Let a burst gather: one event loop turn.
    await new Promise((resolve) => setImmediate(resolve));
    let backoffMs = 100;
    while (this.pending.length) {
      const batch = this.pending.splice(0, 500);
      let stored: PipelineEvent[];
      try {
        stored = await this.events.recordEvents(batch.map((b) => b.event));
      } catch (e) {
        // The database is away (restarting, failing over): keep the events and try again. The
        // broker has them acknowledged already, so dropping them here would lose them for good.
        if (isConnectionError(e)) {
          this.pending.unshift(...batch);
          this.stats.waits = (this.stats.waits ?? 0) + 1;
          await new Promise((resolve) => setTimeout(resolve, backoffMs));
          backoffMs = Math.min(backoffMs * 2, 5_000);
          continue;
        }
        stored = [];
        for (const { topic, event } of batch) {
          try {
            if (await this.events.recordEvent(event)) stored.push(event);
          } catch (e) {
            this.reject(topic, `not stored: ${(e as Error).message}`);
            this.stats.duplicates--;
          }
        }
      }
      backoffMs = 100;
      this.stats.stored += stored.length;
      this.stats.duplicates += batch.length - stored.length;
      for (const event of stored) {
        this.live.emit('event', event);
        try {
          await this.onStored?.(event);
        } catch (e) {
          this.stats.lastRejection = `${event.jobId}: after storing ${event.type}: ${(e as Error).message}`;
        }
      }
    }
    this.flushing = undefined;
  }

  private reject(topic: string, reason: string): void {
    this.stats.rejected++;
    this.stats.lastRejection = `${topic}: ${reason}`;
    this.rejections.emit('rejected', { topic, reason });
    // Logged when it happens, so that an operator watching a running Hub sees it; a flood of bad
    // messages is summarised rather than flooding the log.
    const now = Date.now();
    if (now - this.logWindow.start > LOG_WINDOW_MS) {
      if (this.logWindow.unlogged) this.log(`dropped ${this.logWindow.unlogged} more MQTT messages (not logged)`);
      this.logWindow = { start: now, logged: 0, unlogged: 0 };
    }
    if (this.logWindow.logged++ < LOGGED_PER_WINDOW) this.log(`dropped MQTT message on ${topic}: ${reason}`);
    else this.logWindow.unlogged++;
  }

  /** Resolves once every event received so far is stored. */
  async drained(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  async stop(): Promise<void> {
    await this.client.endAsync();
    await this.drained();
  }
}
