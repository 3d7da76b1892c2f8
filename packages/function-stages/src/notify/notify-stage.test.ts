import { AerialError, DEFAULT_ENVIRONMENTS, keys, loadRuntimeConfig } from '@aerial/contracts';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalFolderStore } from '@aerial/runtime';
import { getJson, putJson } from '@aerial/runtime';
import { runStage } from '@aerial/runtime';
import { readdirSync, readFileSync } from 'node:fs';
import { createDeliver, type Deliver, localDeliveryServices, sendWebhook, webhookSignature } from './deliveries';
import { notifyStage } from './notify-stage';
import { resolveFailure } from './resolve-failure';

describe('Notify', () => {
  let root: string;
  let store: LocalFolderStore;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'aerial-notify-'));
    store = new LocalFolderStore(join(root, 'objects'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const configWith = (env: Record<string, string>) =>
    loadRuntimeConfig({
      AERIAL_DATA_DIR: root,
      AERIAL_WEBHOOK_SECRET: 'a-test-secret-of-16+',
      AERIAL_MAIL_FROM: 'jobs@aerial.example',
      ...env,
    });
  /** Notify as a stage process runs it: the delivery built from the process's configuration. */
  const notify = (jobId: string, extra: Record<string, unknown>, env: Record<string, string> = {}) =>
    runStage(
      { jobId, stage: 'Notify', ...extra },
      { store, environment: DEFAULT_ENVIRONMENTS.dev, config: configWith(env), handlers: { Notify: notifyStage() } },
    );
  const notifyWith = (jobId: string, extra: Record<string, unknown>, deliver: Deliver) =>
    runStage(
      { jobId, stage: 'Notify', ...extra },
      { store, environment: DEFAULT_ENVIRONMENTS.dev, handlers: { Notify: notifyStage(deliver) } },
    );

  /** A webhook receiver on a free port; `received` holds the bodies it was sent. */
  async function receiver(): Promise<{ url: string; received: unknown[]; close: () => void }> {
    const received: unknown[] = [];
    const server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    return { url, received, close: () => server.close() };
  }

  test('POSTs the outcome to a signed webhook, writes the email as .eml, records both', async () => {
    const received: unknown[] = [];
    const signatures: boolean[] = [];
    const server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push(JSON.parse(body));
        const expected = `sha256=${webhookSignature('a-test-secret-of-16+', String(req.headers['x-aerial-timestamp']), body)}`;
        signatures.push(req.headers['x-aerial-signature'] === expected);
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    try {
      await putJson(store, keys.request('job-w'), {
        source: { kind: 'folder', path: '/x' },
        notify: [
          { kind: 'webhook', url },
          { kind: 'email', address: 'a@b.example' },
        ],
      });
      const manifest = await notify('job-w', { outcome: 'succeeded' });
      expect(received).toEqual([expect.objectContaining({ jobId: 'job-w', outcome: 'succeeded' })]);
      expect(manifest.summary.deliveries).toEqual(['webhook: sent', 'email: sent']);
      expect(signatures).toEqual([true]);
      const mail = readdirSync(join(root, 'mail'));
      expect(mail).toHaveLength(1);
      const eml = readFileSync(join(root, 'mail', mail[0]!), 'utf8');
      expect(eml).toMatch(/^From: jobs@aerial\.example\r\nTo: a@b\.example\r\nSubject: Aerial job job-w succeeded/);
    } finally {
      server.close();
    }
  });

  test('a webhook answering 503 is retried with backoff; a 400 is not', async () => {
    const statuses = [503, 503, 200];
    let calls = 0;
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.statusCode = statuses[calls++] ?? 200;
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    try {
      const ok = await sendWebhook(url, { jobId: 'job-r', outcome: 'succeeded' }, { attempts: 3, backoffMs: 10 });
      expect(ok).toMatchObject({ status: 'sent', detail: expect.stringMatching(/attempt 3/) });
      calls = 0;
      statuses.splice(0, 3, 400, 200, 200);
      const refused = await sendWebhook(url, { jobId: 'job-r', outcome: 'succeeded' }, { attempts: 3, backoffMs: 10 });
      expect(refused).toMatchObject({
        status: 'failed',
        detail: expect.stringMatching(/answered 400 after 1 attempt/),
      });
      expect(calls).toBe(1);
    } finally {
      server.close();
    }
  });

  test('an unreachable webhook is recorded as failed, not fatal', async () => {
    await putJson(store, keys.request('job-x'), {
      source: { kind: 'folder', path: '/x' },
      notify: [{ kind: 'webhook', url: 'http://127.0.0.1:9/nothing' }],
    });
    const manifest = await notify('job-x', { outcome: 'succeeded' });
    expect(manifest.summary.deliveries).toEqual(['webhook: failed']);
  });

  test('on failure it names the error from the failed stage’s record, not the orchestrator’s generic one', async () => {
    await putJson(store, keys.request('job-y'), { source: { kind: 'folder', path: '/x' } });
    await putJson(store, keys.stageError('job-y', 'Ingest'), {
      name: 'Aerial.QualityRejected',
      reason: 'only 2 of 18 images passed',
      stage: 'Ingest',
      at: '2026-11-22T10:00:00.000Z',
    });
    const manifest = await notify('job-y', {
      outcome: 'failed',
      failure: { Error: 'States.TaskFailed', Cause: '{"Status":"FAILED"}' },
    });
    expect(manifest.summary).toMatchObject({ name: 'Aerial.QualityRejected', reason: 'only 2 of 18 images passed' });
    expect(await getJson(store, keys.failure('job-y'))).toMatchObject({
      name: 'Aerial.QualityRejected',
      stage: 'Ingest',
    });
  });

  test('a Lambda-style failure is read from its JSON cause', async () => {
    await putJson(store, keys.request('job-z'), { source: { kind: 'folder', path: '/x' } });
    const cause = JSON.stringify({ errorType: 'Aerial.BudgetExceeded', errorMessage: 'over budget' });
    const manifest = await notify('job-z', {
      outcome: 'failed',
      failure: { Error: 'Aerial.BudgetExceeded', Cause: cause },
    });
    expect(manifest.summary).toMatchObject({ name: 'Aerial.BudgetExceeded', reason: 'over budget' });
  });

  test('a timeout with no stage record becomes a transient failure', async () => {
    await putJson(store, keys.request('job-t'), { source: { kind: 'folder', path: '/x' } });
    const manifest = await notify('job-t', {
      outcome: 'failed',
      failure: { Error: 'States.Timeout', Cause: 'Task timed out' },
    });
    expect(manifest.summary).toMatchObject({ name: 'Aerial.Transient' });
  });

  test('MQTT_URL= (empty) is unset: the MQTT target is skipped with what to set, the webhook and email are sent', async () => {
    const hook = await receiver();
    try {
      await putJson(store, keys.request('job-e'), {
        source: { kind: 'folder', path: '/x' },
        notify: [{ kind: 'mqtt' }, { kind: 'webhook', url: hook.url }, { kind: 'email', address: 'a@b.example' }],
      });
      const manifest = await notify('job-e', { outcome: 'succeeded' }, { MQTT_URL: '' });
      expect(hook.received).toHaveLength(1);
      expect(manifest.summary.deliveries).toEqual(['mqtt: skipped', 'webhook: sent', 'email: sent']);
      expect(manifest.summary.undelivered).toEqual([expect.stringMatching(/^mqtt: no MQTT_URL configured; set it/)]);
      expect(await getJson(store, `${keys.stage('job-e', 'Notify')}/notification.json`)).toMatchObject({
        delivered: false,
        deliveries: [
          { target: 'mqtt', status: 'skipped' },
          { target: 'webhook', status: 'sent' },
          { target: 'email', status: 'sent' },
        ],
      });
    } finally {
      hook.close();
    }
  });

  test('a bad MQTT_URL is refused at start, naming the variable; Notify never runs half-configured', () => {
    let caught: unknown;
    try {
      configWith({ MQTT_URL: 'localhost:1883' });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(AerialError);
    expect((caught as AerialError).reason).toMatch(/MQTT_URL: must be a mqtt: .* URL such as/);
  });

  test('an unreachable broker fails the MQTT delivery alone, in one line; Notify still succeeds', async () => {
    const hook = await receiver();
    try {
      await putJson(store, keys.request('job-m'), {
        source: { kind: 'folder', path: '/x' },
        notify: [{ kind: 'mqtt' }, { kind: 'webhook', url: hook.url }],
      });
      const manifest = await notify('job-m', { outcome: 'succeeded' }, { MQTT_URL: 'mqtt://127.0.0.1:9' });
      expect(hook.received).toHaveLength(1);
      expect(manifest.summary.deliveries).toEqual(['mqtt: failed', 'webhook: sent']);
      const [mqtt] = manifest.summary.undelivered as string[];
      expect(mqtt).toMatch(/^mqtt: 127\.0\.0\.1:9: /);
      expect(mqtt).not.toMatch(/\n|"code"/);
    } finally {
      hook.close();
    }
  });

  test('the same delivery serves the Lambda: only its services differ (SES mailer, the notifications topic)', async () => {
    const sent: string[] = [];
    const deliver = createDeliver({
      mailer: { send: (mail) => (sent.push(`mail ${mail.to}`), Promise.resolve('ses-message-1')) },
      mqtt: (message) => (sent.push(`topic ${message.jobId}`), Promise.resolve('published to the notifications topic')),
    });
    const message = { jobId: 'job-l', outcome: 'succeeded' as const };
    expect(await deliver({ kind: 'email', address: 'a@b.example' }, message)).toEqual({
      target: 'email',
      status: 'sent',
      detail: 'a@b.example: ses-message-1',
    });
    expect(await deliver({ kind: 'mqtt' }, message)).toMatchObject({ status: 'sent' });
    expect(sent).toEqual(['mail a@b.example', 'topic job-l']);
    const local = localDeliveryServices(configWith({}));
    expect(local.mqtt).toBeUndefined();
    expect(local.webhookSecret).toBe('a-test-secret-of-16+');
  });

  test('a delivery that throws is that target’s failure; the other targets are still tried', async () => {
    await putJson(store, keys.request('job-d'), {
      source: { kind: 'folder', path: '/x' },
      notify: [
        { kind: 'email', address: 'a@b.example' },
        { kind: 'webhook', url: 'http://127.0.0.1:9/hook' },
      ],
    });
    const tried: string[] = [];
    const manifest = await notifyWith('job-d', { outcome: 'succeeded' }, async (target) => {
      tried.push(target.kind);
      if (target.kind === 'email') throw new Error('mail relay refused the connection');
      return { target: target.kind, status: 'sent', detail: 'ok' };
    });
    expect(tried).toEqual(['email', 'webhook']);
    expect(manifest.summary).toMatchObject({
      deliveries: ['email: failed', 'webhook: sent'],
      undelivered: ['email: Aerial.Internal: mail relay refused the connection'],
    });
  });

  test('on failure the summary and notification name the stage that failed', async () => {
    await putJson(store, keys.request('job-f'), { source: { kind: 'folder', path: '/x' } });
    await putJson(store, keys.stageError('job-f', 'Ingest'), {
      name: 'Aerial.QualityRejected',
      reason: 'only 0 of 1 files passed quality checks',
      stage: 'Ingest',
      at: '2026-11-22T10:00:00.000Z',
    });
    const manifest = await notify('job-f', {
      outcome: 'failed',
      failure: { Error: 'States.TaskFailed', Cause: '{"Status":"FAILED"}' },
    });
    expect(manifest.summary).toMatchObject({ name: 'Aerial.QualityRejected', stage: 'Ingest', undelivered: [] });
    expect(await getJson(store, `${keys.stage('job-f', 'Notify')}/notification.json`)).toMatchObject({
      error: { name: 'Aerial.QualityRejected', stage: 'Ingest' },
      delivered: true,
    });
  });
});

describe('resolveFailure', () => {
  test('names the failed stage even when Notify’s own earlier attempt left a newer error record', async () => {
    const root = mkdtempSync(join(tmpdir(), 'aerial-resolve-'));
    try {
      const store = new LocalFolderStore(root);
      await putJson(store, keys.stageError('job-n', 'Ingest'), {
        name: 'Aerial.QualityRejected',
        reason: 'only 0 of 1 files passed quality checks',
        stage: 'Ingest',
        at: '2026-11-22T10:00:00.000Z',
      });
      await putJson(store, keys.stageError('job-n', 'Notify'), {
        name: 'Aerial.Internal',
        reason: 'MQTT_URL: must be a mqtt: URL',
        stage: 'Notify',
        at: '2026-11-22T10:00:05.000Z',
      });
      const failure = { Error: 'States.TaskFailed', Cause: '{"Status":"FAILED"}' };
      expect(await resolveFailure(store, 'job-n', failure)).toMatchObject({
        name: 'Aerial.QualityRejected',
        stage: 'Ingest',
      });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('a cancelled job is told with who stopped it, in the stage it was stopped in', async () => {
    const root = mkdtempSync(join(tmpdir(), 'aerial-resolve-'));
    try {
      const store = new LocalFolderStore(root);
      await putJson(store, keys.stageError('job-c', 'Ingest'), {
        name: 'Aerial.Cancelled',
        reason: 'Ingest was stopped',
        stage: 'Ingest',
        at: '2026-11-29T02:00:00.000Z',
      });
      const failure = { Error: 'Aerial.Cancelled', Cause: 'cancelled through the Hub' };
      expect(await resolveFailure(store, 'job-c', failure)).toEqual({
        name: 'Aerial.Cancelled',
        reason: 'cancelled through the Hub',
        stage: 'Ingest',
      });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
