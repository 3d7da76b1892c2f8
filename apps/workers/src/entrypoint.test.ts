import { type PipelineEvent, topics } from '@aerial/contracts';
import { generateSurvey } from '@aerial/sample-data';
import mqtt from 'mqtt';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ENTRYPOINT = join(__dirname, '..', 'lib', 'entrypoint.js');
/** The broker tools/services/setup.sh starts (Mosquitto, loopback only). */
const BROKER = process.env.AERIAL_TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';

/**
 * A stage container as Batch or Argo runs it: no engine around it to turn its progress into
 * events, so it publishes its own, and the Hub shows the job live on every engine.
 */
describe('the stage entrypoint with MQTT_URL', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'aerial-entrypoint-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('publishes its stage.started, progress and succeeded events, and the retained status', async () => {
    const survey = join(dir, 'survey');
    await generateSurvey({ outDir: survey, widthPx: 320, heightPx: 240, areaWidthM: 40, areaHeightM: 30 });
    const jobId = `job-entry-${Date.now().toString(36)}`;
    const subscriber = await mqtt.connectAsync(BROKER);
    const received: { topic: string; body: unknown }[] = [];
    subscriber.on('message', (topic, payload) => {
      if (payload.length) received.push({ topic, body: JSON.parse(payload.toString()) });
    });
    await subscriber.subscribeAsync([topics.jobEvents(jobId), topics.jobStatus(jobId)], { qos: 1 });
    try {
      await promisify(execFile)(process.execPath, [ENTRYPOINT, 'Ingest'], {
        env: {
          ...process.env,
          AERIAL_DATA_DIR: join(dir, 'data'),
          AERIAL_JOB_ID: jobId,
          // As Argo gives the first stage its request.
          AERIAL_REQUEST: JSON.stringify({
            source: { kind: 'folder', path: join(survey, 'images') },
            preset: 'survey',
          }),
          AERIAL_STAGE_RETRIES: '0',
          MQTT_URL: BROKER,
        },
      });
      await new Promise((r) => setTimeout(r, 200));
      const events = received.filter((m) => m.topic === topics.jobEvents(jobId)).map((m) => m.body as PipelineEvent);
      const types = events.map((e) => e.type);
      expect(types[0]).toBe('stage.started');
      expect(types.at(-1)).toBe('stage.succeeded');
      expect(types).toContain('stage.progress');
      expect(new Set(types)).toEqual(new Set(['stage.started', 'stage.progress', 'stage.succeeded']));
      expect(events[0]).toMatchObject({ jobId, stage: 'Ingest', attempt: 1 });
      const statuses = received.filter((m) => m.topic === topics.jobStatus(jobId)).map((m) => m.body);
      expect(statuses.at(-1)).toMatchObject({ jobId, state: 'running', stage: 'Ingest', percent: 100 });
    } finally {
      // The retained status of this test job is cleared, not left on the shared broker.
      await subscriber.publishAsync(topics.jobStatus(jobId), '', { retain: true, qos: 1 });
      await subscriber.endAsync();
    }
  }, 60_000);

  test('a broker it cannot reach leaves the stage to run: events are how a job is watched, not its work', async () => {
    const survey = join(dir, 'survey');
    const jobId = `job-nobroker-${Date.now().toString(36)}`;
    const { stderr } = await promisify(execFile)(process.execPath, [ENTRYPOINT, 'Ingest'], {
      env: {
        ...process.env,
        AERIAL_DATA_DIR: join(dir, 'data'),
        AERIAL_JOB_ID: jobId,
        AERIAL_REQUEST: JSON.stringify({ source: { kind: 'folder', path: join(survey, 'images') }, preset: 'survey' }),
        MQTT_URL: 'mqtt://127.0.0.1:9',
      },
    });
    expect(stderr).toMatch(/no events: cannot reach the broker in MQTT_URL/);
  }, 60_000);
});
