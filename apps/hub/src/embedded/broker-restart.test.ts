import { MqttEventPublisher } from '@aerial/runtime';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { migrate } from '../db/migrate';
import { freshDatabase } from '../db/test-support/test-database';
import { TileDatabase } from '../db/tile-database';
import { MqttEventBridge } from '../mqtt/event-bridge';
import { startEmbeddedBroker } from './embedded-broker';

/**
 * The embedded broker restarts in the middle of a job (the Hub process restarting does exactly
 * this): events published while it is down wait in the publisher, events it had accepted wait in
 * its level store for the bridge's persistent session, and the Hub ends up with every one, once.
 */
describe('embedded broker restart mid-job', () => {
  let db: { pool: Pool; drop(): Promise<void> };
  let dir: string;
  beforeAll(async () => {
    db = await freshDatabase();
    await migrate(db.pool);
    dir = mkdtempSync(join(tmpdir(), 'aerial-broker-'));
  });
  afterAll(async () => {
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('loses no events and stores none twice', async () => {
    const tiles = new TileDatabase(db.pool);
    const jobId = 'job-restart-1';
    await tiles.jobs.recordJob(jobId, {
      source: { kind: 'folder', path: '/x' },
      preset: 'survey',
      options: {},
      priority: 'normal',
      notify: [],
    });
    let broker = await startEmbeddedBroker(dir);
    const port = Number(new URL(broker.url).port);
    const wsPort = Number(new URL(broker.wsUrl).port);
    const bridge = await MqttEventBridge.start(broker.url, tiles.events, { clientId: 'aerial-hub-restart-test' });
    const publisher = await MqttEventPublisher.connect(broker.url);
    const at = (k: number) => new Date(Date.UTC(2026, 10, 22, 12, 0, 0, k)).toISOString();
    const progress = (k: number) =>
      publisher.publish({ type: 'stage.progress', jobId, at: at(k), stage: 'Ingest', percent: k % 100 });
    try {
      await publisher.publish({ type: 'job.started', jobId, at: at(0) });
      for (let k = 1; k <= 50; k++) await progress(k);
      // The Hub's bridge goes away first, then the broker: what the broker accepted meanwhile
      // must survive in its store.
      await bridge.stop();
      for (let k = 51; k <= 100; k++) await progress(k);
      await broker.stop();
      // While the broker is down, the publisher keeps these in its outgoing store.
      const offline = Array.from({ length: 50 }, (_, i) => progress(101 + i));
      broker = await startEmbeddedBroker(dir, { port, wsPort });
      await Promise.all(offline);
      await publisher.publish({ type: 'job.succeeded', jobId, at: at(200) });
      const again = await MqttEventBridge.start(broker.url, tiles.events, { clientId: 'aerial-hub-restart-test' });
      try {
        for (let i = 0; i < 100 && (await tiles.events.events(jobId)).length < 152; i++)
          await new Promise((r) => setTimeout(r, 50));
        await again.drained();
      } finally {
        await again.stop();
      }
      const events = await tiles.events.events(jobId);
      expect(events).toHaveLength(152);
      expect(new Set(events.map((e) => e.at)).size).toBe(152);
      expect(await tiles.jobs.jobStatus(jobId)).toMatchObject({ status: 'succeeded' });
    } finally {
      await publisher.close();
      await broker.stop();
    }
  }, 60_000);
});
