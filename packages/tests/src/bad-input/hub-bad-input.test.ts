import mqtt from 'mqtt';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiCases, type HttpRequest, type HubContext, jobCases, resumableUploadCases, uploadCases } from './hub-cases';
import { mqttCases, STRANGER } from './mqtt-cases';
import { goodPhotos } from './photos';
import { type EmbeddedHub, startEmbeddedHub } from '../test-support/programs';

interface ErrorBody {
  error?: { name: string; reason: string; remedy?: string };
}

/**
 * The corpus's API, upload, MQTT and job cases against the Hub as users run it (embedded
 * services, the local engine as its own process). Each refusal is a 4xx with the named error and
 * a message; nothing is created or left half-written; a bad MQTT message is dropped and counted;
 * and through it all the Hub keeps serving. A request that hangs fails its case (15 s).
 */
describe('bad input: the Hub', () => {
  let hub: EmbeddedHub;
  let good: Buffer[];
  let scratch: string;

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'aerial-bad-hub-photos-'));
    [hub, good] = await Promise.all([startEmbeddedHub(), goodPhotos(join(scratch, 'survey'))]);
  }, 240_000);
  afterAll(async () => {
    await hub?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  const send = async (request: HttpRequest) => {
    const response = await fetch(new URL(request.path, hub.url), {
      method: request.method ?? 'GET',
      headers: request.headers,
      body: request.body as RequestInit['body'],
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    let body: ErrorBody = {};
    try {
      body = JSON.parse(text) as ErrorBody;
    } catch {
      body = { error: { name: '(not JSON)', reason: text } };
    }
    return { status: response.status, body };
  };
  const auth = () => ({ authorization: `Bearer ${hub.apiKey}`, 'content-type': 'application/json' });
  const jobCount = async () =>
    ((await (await fetch(new URL('/api/jobs?limit=200', hub.url))).json()) as { jobs: unknown[] }).jobs.length;
  const newDataset = async () => {
    const created = await send({ method: 'POST', path: '/api/datasets', headers: auth(), body: '{}' });
    return (created.body as unknown as { datasetId: string }).datasetId;
  };
  const context = async (): Promise<HubContext> => ({
    url: hub.url,
    apiKey: hub.apiKey,
    datasetId: await newDataset(),
    good,
  });
  /** What the dataset holds in the store, `.partial` leftovers included. */
  const storedFiles = (datasetId: string) => {
    const dir = join(hub.dataDir, 'objects', 'uploads', datasetId);
    return existsSync(dir) ? readdirSync(dir) : [];
  };
  const healthy = async () => expect((await send({ path: '/health' })).status).toBe(200);

  test.each([...apiCases, ...uploadCases, ...resumableUploadCases].map((c) => [`${c.target}: ${c.id}`, c] as const))(
    '%s',
    async (_, c) => {
      const ctx = await context();
      const jobsBefore = await jobCount();
      const { status, body } = await send(await c.request(ctx));
      expect({ status, reason: body.error?.reason }).toEqual({
        status: c.expect.status,
        reason: expect.stringMatching(c.expect.message),
      });
      if (c.expect.name) expect(body.error?.name).toBe(c.expect.name);
      expect(await jobCount()).toBe(jobsBefore);
      if (c.unchanged === 'dataset-files') expect(storedFiles(ctx.datasetId)).toEqual([]);
      await healthy();
    },
    30_000,
  );

  test.each(mqttCases.map((c) => [c.id, c] as const))('mqtt: %s is dropped, the Hub serves on', async (_, c) => {
    const client = await mqtt.connectAsync(hub.brokerUrl, { connectTimeout: 5000, reconnectPeriod: 0 });
    try {
      await client.publishAsync(c.topic, c.payload, { qos: 1 });
    } finally {
      await client.endAsync();
    }
    await healthy();
    expect((await send({ path: `/api/jobs/${STRANGER}` })).status).toBe(404);
  });

  test.each(jobCases.map((c) => [c.id, c] as const))(
    'job: %s fails with the named error in the stage that met it, publishes nothing',
    async (_, c) => {
      const ctx = await context();
      const form = new FormData();
      for (const [name, bytes, type] of await c.files(ctx)) form.append('file', new Blob([bytes], { type }), name);
      const sent = await send({
        method: 'POST',
        path: `/api/datasets/${ctx.datasetId}/files`,
        headers: { authorization: `Bearer ${hub.apiKey}` },
        body: form,
      });
      expect(sent.status).toBe(201);
      const started = await send({
        method: 'POST',
        path: `/api/datasets/${ctx.datasetId}/jobs`,
        headers: auth(),
        body: '{"preset":"survey"}',
      });
      expect(started.status).toBe(202);
      const { jobId } = started.body as unknown as { jobId: string };
      let job: { status: string; stage?: string; error?: { name: string; reason: string } } | undefined;
      for (let i = 0; i < 240; i++) {
        job = (await send({ path: `/api/jobs/${jobId}` })).body as unknown as typeof job;
        if (job && ['succeeded', 'failed'].includes(job.status)) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(job).toMatchObject({
        status: 'failed',
        stage: c.expect.stage,
        error: { name: c.expect.name, reason: expect.stringMatching(c.expect.reason) },
      });
      expect((await send({ path: `/api/jobs/${jobId}/products` })).status).toBe(404);
      await healthy();
    },
    90_000,
  );

  // An operator watching a running Hub sees each message it drops, not only a count at the end.
  test('each dropped MQTT message is logged when it is dropped, with its topic and reason', () => {
    expect(hub.log).toContainEqual(expect.stringMatching(/aerial\/v1\/jobs\/.+\/events.*not JSON/));
    expect(hub.log).toContainEqual(expect.stringMatching(/not a pipeline event/));
  });

  test('the Hub stops cleanly and has counted every dropped MQTT message', async () => {
    const { code, log } = await hub.stop();
    expect(code).toBe(0);
    const summary = log.map((l) => /events: (\d+) stored, (\d+) duplicates, (\d+) rejected/.exec(l)).find(Boolean);
    expect(summary).toBeTruthy();
    expect(Number(summary![3])).toBe(mqttCases.length);
    // The jobs' own events went through after the bad messages.
    expect(Number(summary![1])).toBeGreaterThan(0);
  }, 60_000);
});
