import mqtt from 'mqtt';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EmbeddedBroker, startEmbeddedBroker, topicAllowed } from './embedded-broker';

describe('embedded broker', () => {
  test('topic filters: + and # as MQTT means them, and no wider subscription than allowed', () => {
    expect(topicAllowed('aerial/v1/jobs/+/events', 'aerial/v1/jobs/job-1/events')).toBe(true);
    expect(topicAllowed('aerial/v1/jobs/+/events', 'aerial/v1/jobs/+/events')).toBe(true);
    expect(topicAllowed('aerial/v1/jobs/+/events', 'aerial/v1/jobs/job-1/status')).toBe(false);
    expect(topicAllowed('aerial/v1/jobs/+/events', 'aerial/v1/#')).toBe(false);
    expect(topicAllowed('aerial/v1/jobs/+/+', 'aerial/v1/jobs/job-1/notification')).toBe(true);
    expect(topicAllowed('aerial/#', 'aerial/v1/jobs/x/events')).toBe(true);
    expect(topicAllowed('aerial/v1/jobs/+/events', 'aerial/v1/jobs/job-1/events/extra')).toBe(false);
  });

  describe('with users', () => {
    let dir: string;
    let broker: EmbeddedBroker;
    const url = (user?: string, password?: string) => {
      const u = new URL(broker.url);
      if (user) u.username = user;
      if (password) u.password = password;
      return u.toString();
    };
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'aerial-broker-auth-'));
      broker = await startEmbeddedBroker(dir, {
        users: {
          hub: { password: 'hub-password-0123456', publish: [], subscribe: ['aerial/v1/jobs/+/events'] },
          engine: { password: 'engine-password-0123', publish: ['aerial/v1/jobs/+/+'], subscribe: [] },
        },
      });
    });
    afterAll(async () => {
      await broker.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    test('refuses anonymous clients and wrong passwords', async () => {
      await expect(mqtt.connectAsync(url(), { reconnectPeriod: 0, protocolVersion: 4 })).rejects.toThrow(
        /Bad username or password|Not authorized/i,
      );
      await expect(
        mqtt.connectAsync(url('hub', 'wrong-password-xxxx'), { reconnectPeriod: 0, protocolVersion: 4 }),
      ).rejects.toThrow(/Bad username or password|Not authorized/i);
    });

    test('the engine publishes job events, the Hub reads them; neither does the other’s part', async () => {
      const hub = await mqtt.connectAsync(url('hub', 'hub-password-0123456'), { protocolVersion: 4 });
      const engine = await mqtt.connectAsync(url('engine', 'engine-password-0123'), { protocolVersion: 4 });
      try {
        const granted = await hub.subscribeAsync('aerial/v1/jobs/+/events', { qos: 1 });
        expect(granted[0]!.qos).toBe(1);
        // Refused subscriptions come back with the failure code, which mqtt.js raises.
        await expect(hub.subscribeAsync('aerial/#', { qos: 1 })).rejects.toThrow(/Subscribe error/);
        await expect(engine.subscribeAsync('aerial/v1/jobs/+/events', { qos: 1 })).rejects.toThrow(/Subscribe error/);
        const got: string[] = [];
        hub.on('message', (topic) => got.push(topic));
        await engine.publishAsync('aerial/v1/jobs/job-a/events', '{}', { qos: 1 });
        for (let i = 0; i < 50 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
        expect(got).toEqual(['aerial/v1/jobs/job-a/events']);
      } finally {
        await hub.endAsync();
        await engine.endAsync();
      }
    });
  });

  test('a persistent subscriber gets every one of 2,000 QoS 1 messages published at once (aedes#955)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aerial-broker-order-'));
    const broker = await startEmbeddedBroker(dir);
    const subscriber = await mqtt.connectAsync(broker.url, {
      clientId: 'order-test',
      clean: false,
      protocolVersion: 4,
    });
    const publisher = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
    try {
      const got = new Set<number>();
      subscriber.on('message', (_topic, payload) => got.add(Number(payload.toString())));
      await subscriber.subscribeAsync('aerial/v1/jobs/+/events', { qos: 1 });
      const total = 2000;
      // Not awaited one by one: many publishes in the broker at once is what used to lose ~5 %.
      await Promise.all(
        Array.from({ length: total }, (_, k) =>
          publisher.publishAsync('aerial/v1/jobs/job-burst/events', String(k), { qos: 1 }),
        ),
      );
      for (let i = 0; i < 100 && got.size < total; i++) await new Promise((r) => setTimeout(r, 50));
      expect(total - got.size).toBe(0);
    } finally {
      await subscriber.endAsync();
      await publisher.endAsync();
      await broker.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
