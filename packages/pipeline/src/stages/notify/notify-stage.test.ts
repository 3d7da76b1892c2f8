import { DEFAULT_ENVIRONMENTS, keys } from '@aerial/contracts';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalFolderStore } from '../../object-store/local-folder-store';
import { getJson, putJson } from '../../object-store/object-store';
import { runStage } from '../stage-runtime';
import { readdirSync, readFileSync } from 'node:fs';
import { deliverFromEnv, sendWebhook, webhookSignature } from './deliveries';
import { notifyStage } from './notify-stage';

describe('Notify', () => {
  let root: string;
  let store: LocalFolderStore;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'aerial-notify-'));
    store = new LocalFolderStore(join(root, 'objects'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const notify = (jobId: string, extra: Record<string, unknown>) =>
    runStage(
      { jobId, stage: 'Notify', ...extra },
      {
        store,
        environment: DEFAULT_ENVIRONMENTS.dev,
        handlers: {
          Notify: notifyStage(
            deliverFromEnv({
              AERIAL_DATA_DIR: root,
              AERIAL_WEBHOOK_SECRET: 'a-test-secret-of-16+',
              AERIAL_MAIL_FROM: 'jobs@aerial.example',
            }),
          ),
        },
      },
    );

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
});
