import { type JobStatus, topics } from '@aerial/contracts';
import { MqttEventPublisher } from '@aerial/runtime';
import mqtt from 'mqtt';
import type { Pool } from 'pg';
import { migrate } from '../db/migrate';
import { freshDatabase } from '../db/test-support/test-database';
import { TileDatabase } from '../db/tile-database';
import { MqttEventBridge } from './event-bridge';

/** The broker tools/services/setup.sh starts (Mosquitto, loopback only). */
const BROKER = process.env.AERIAL_TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';

describe('MQTT events: publisher → Mosquitto → Hub bridge → tile database', () => {
  let db: { pool: Pool; drop(): Promise<void> };
  let tiles: TileDatabase;
  let bridge: MqttEventBridge;
  let publisher: MqttEventPublisher;
  const jobId = `job-mqtt-${Date.now().toString(36)}`;

  const logged: string[] = [];
  beforeAll(async () => {
    db = await freshDatabase();
    await migrate(db.pool);
    tiles = new TileDatabase(db.pool);
    await tiles.jobs.recordJob(jobId, {
      source: { kind: 'folder', path: '/x' },
      preset: 'survey',
      options: {},
      priority: 'normal',
      notify: [],
    });
    try {
      bridge = await MqttEventBridge.start(BROKER, tiles.events, {
        clientId: `aerial-hub-test-${Date.now().toString(36)}`,
        log: (line) => logged.push(line),
      });
      publisher = await MqttEventPublisher.connect(BROKER);
    } catch (e) {
      throw new Error(
        `the MQTT test broker is not reachable at ${BROKER}: ${(e as Error).message}; run "pnpm services" (tools/services/setup.sh) first`,
      );
    }
  });
  afterAll(async () => {
    await publisher?.close();
    await bridge?.stop();
    await db?.drop();
  });

  const until = async (check: () => Promise<boolean> | boolean) => {
    for (let i = 0; i < 100; i++) {
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('timed out');
  };

  test('published events reach the tile database once, and the job status follows', async () => {
    const at = (s: number) => new Date(Date.UTC(2026, 10, 22, 11, 0, s)).toISOString();
    await publisher.publish({ type: 'job.started', jobId, at: at(0) });
    await publisher.publish({ type: 'stage.progress', jobId, at: at(1), stage: 'Ingest', percent: 50 });
    await publisher.publish({ type: 'job.succeeded', jobId, at: at(2) });
    await until(async () => (await tiles.events.events(jobId)).length === 3);
    expect((await tiles.jobs.jobStatus(jobId))?.status).toBe('succeeded');
  });

  test('a late subscriber gets the retained status', async () => {
    const late = await mqtt.connectAsync(BROKER);
    try {
      const status = new Promise<JobStatus>((resolve) =>
        late.on('message', (_t, payload) => resolve(JSON.parse(payload.toString()) as JobStatus)),
      );
      await late.subscribeAsync(topics.jobStatus(jobId), { qos: 1 });
      expect(await status).toMatchObject({ jobId, state: 'succeeded', percent: 100 });
    } finally {
      await late.endAsync();
    }
  });

  test('malformed payloads are counted and dropped, and the bridge keeps working', async () => {
    const rogue = await mqtt.connectAsync(BROKER);
    // Other test packages share this broker: count only what is rejected on this job's topic.
    const reasons: string[] = [];
    const onRejected = ({ topic, reason }: { topic: string; reason: string }) => {
      if (topic === topics.jobEvents(jobId)) reasons.push(reason);
    };
    bridge.rejections.on('rejected', onRejected);
    try {
      await rogue.publishAsync(topics.jobEvents(jobId), 'not json at all', { qos: 1 });
      await rogue.publishAsync(
        topics.jobEvents(jobId),
        JSON.stringify({ type: 'stage.progress', jobId, at: 'yesterday', stage: 'Ingest', percent: 10 }),
        { qos: 1 },
      );
      await rogue.publishAsync(
        topics.jobEvents(jobId),
        JSON.stringify({ type: 'job.started', jobId: 'job-other', at: new Date().toISOString() }),
        { qos: 1 },
      );
      await until(() => reasons.length === 3);
      expect(reasons).toEqual([
        'not JSON',
        expect.stringMatching(/^not a pipeline event \(at: /),
        "event of job job-other on another job's topic",
      ]);
      // Each is logged as it is dropped, with its topic and why.
      expect(logged).toContainEqual(`dropped MQTT message on ${topics.jobEvents(jobId)}: not JSON`);
      await publisher.publish({
        type: 'stage.started',
        jobId,
        at: new Date(Date.UTC(2026, 10, 22, 11, 1)).toISOString(),
        stage: 'Footprints',
        attempt: 1,
      });
      await until(async () => (await tiles.events.events(jobId)).length === 4);
    } finally {
      bridge.rejections.off('rejected', onRejected);
      await rogue.endAsync();
    }
  });
});
