import { JOB_OPTION_DEFAULTS, type JobOptions, type JobRequest, uploadJobRequest } from '@aerial/contracts';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, type RunningHub, startHub } from './test-support/hub-process';
import { CHROMIUM, launchChromium } from './test-support/chromium';

const ARTIFACTS = join(REPO_ROOT, 'packages', 'tests', '.artifacts');
const CLI = join(REPO_ROOT, 'apps', 'workers', 'lib', 'cli', 'main.js');

interface JobDetail {
  jobId: string;
  status: string;
  stages: string[];
  request: JobOptions | null;
}

/** What a job's detail shows of a request: a webhook by its origin only. */
const asShown = (options: JobOptions): JobOptions => ({
  ...options,
  notify: options.notify.map((n) => (n.kind === 'webhook' ? { kind: 'webhook', url: new URL(n.url).origin } : n)),
});
const withoutSource = ({ source: _source, ...options }: JobRequest): JobOptions => options;

const browser = existsSync(CHROMIUM) ? describe : describe.skip;

/**
 * Job options and API keys through the page, on a Hub that requires a key for reads: the form's
 * options reach the job (and match the API, the CLI and an upload marker for the same input), a
 * job page asks only for what its preset makes, and the Keys panel creates and revokes a key.
 */
browser('the Hub page: job options and API keys (Chromium)', () => {
  let hub: RunningHub;
  let hooks: Server;
  let webhook = '';
  const delivered: string[] = [];
  let photos: string[] = [];

  const api = async <T>(
    path: string,
    init: RequestInit = {},
    key = hub.apiKey,
  ): Promise<{ status: number; body: T }> => {
    const response = await fetch(new URL(path, hub.url), {
      ...init,
      headers: { authorization: `Bearer ${key}`, ...(init.body ? { 'content-type': 'application/json' } : {}) },
    });
    return { status: response.status, body: (await response.json().catch(() => ({}))) as T };
  };
  const detail = async (jobId: string) => (await api<JobDetail>(`/api/jobs/${jobId}`)).body;

  beforeAll(async () => {
    hooks = createServer((request, response) => {
      delivered.push(request.url ?? '');
      response.end('ok');
    });
    await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
    webhook = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/hook/secret-token`;
    hub = await startHub('real', { sample: false, env: { HUB_REQUIRE_KEY_FOR_READS: 'true' } });
    const dir = join(hub.dataDir, 'sample-survey', 'images');
    photos = readdirSync(dir)
      .sort()
      .map((f) => join(dir, f));
  }, 240_000);
  afterAll(async () => {
    await hub?.stop();
    await new Promise((r) => hooks?.close(r));
  });

  /** The request `aerial process --dry-run` makes of these flags. */
  async function cliRequest(flags: string[]): Promise<JobRequest> {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [CLI, 'process', '--dry-run', photos[0]!.replace(/\/[^/]+$/, ''), ...flags],
      {
        env: { ...process.env, AERIAL_DATA_DIR: hub.dataDir, OBJECT_STORE: '', DATABASE_URL: '', MQTT_URL: '' },
      },
    );
    return JSON.parse(stdout) as JobRequest;
  }

  test('options set in the form reach the job and its page; the API, CLI and an upload marker agree, for full and empty input', async () => {
    const instance = await launchChromium();
    try {
      const page = await instance.newPage({ viewport: { width: 1366, height: 1000 } });
      await page.goto(hub.url);
      // Before a key is given, this Hub answers its reads with 401 (the page says so).
      await page.getByText('a valid API key is required', { exact: false }).waitFor();
      const missing: string[] = [];
      page.on('response', (r) => {
        if (r.status() >= 400) missing.push(`${r.status()} ${r.url()}`);
      });
      await page.getByLabel('API key', { exact: true }).fill(hub.apiKey);
      await page.getByLabel('API key', { exact: true }).press('Tab');
      // The form is built from GET /api/job-options: its defaults are the API's.
      await page.locator('#job-preset option').first().waitFor({ state: 'attached' });
      expect(await page.locator('#job-preset').inputValue()).toBe(JOB_OPTION_DEFAULTS.preset);
      expect(await page.locator('#job-priority').inputValue()).toBe(JOB_OPTION_DEFAULTS.priority);

      const full: JobOptions = {
        preset: 'survey',
        priority: 'high',
        label: 'north field',
        notify: [
          { kind: 'webhook', url: webhook },
          { kind: 'email', address: 'pilot@example.org' },
        ],
        options: { flightHeightM: 80 },
      };
      await page.locator('#job-preset').selectOption('survey');
      await page.locator('#job-priority').selectOption('high');
      await page.locator('#job-label').fill('north field');
      await page.locator('#job-webhook').fill(webhook);
      await page.locator('#job-email').fill('pilot@example.org');
      await page.locator('#flight-height').fill('80');
      await page.locator('#files').setInputFiles(photos);
      await page.waitForURL(/#\/jobs\/job-/, { timeout: 120_000 });
      const pageJob = /#\/jobs\/(job-[a-z0-9-]+)$/.exec(page.url())![1]!;
      await page.getByText('SUCCEEDED', { exact: true }).waitFor({ timeout: 240_000 });
      // A survey's page: its stages, the footprints' map, and no request for products it never makes.
      await page.locator('body[data-map-ready="true"]').waitFor({ timeout: 30_000 });
      const summary = await page.locator('#job-options-summary').textContent();
      expect(summary).toContain('preset survey');
      expect(summary).toContain('priority high');
      expect(summary).toContain('flight height 80 m');
      expect(summary).toContain('email pilot@example.org');
      expect(summary).toContain(`webhook ${new URL(webhook).origin}`);
      expect(summary).not.toContain('secret-token');
      const cards = await page.locator('#stages li').evaluateAll((items) => items.map((li) => li.dataset.stage));
      expect(cards).toEqual(['GuardBudget', 'Ingest', 'Footprints', 'Notify']);
      expect(delivered).toEqual(['/hook/secret-token']);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'hub-job-options.png'), fullPage: true });

      // The same full input at the other entry points.
      expect((await detail(pageJob)).request).toEqual(asShown(full));
      const viaApi = await api<{ jobId: string }>('/api/jobs', {
        method: 'POST',
        body: JSON.stringify({ source: { kind: 'folder', path: join(photos[0]!, '..') }, ...full }),
      });
      expect(viaApi.status).toBe(202);
      await api(`/api/jobs/${viaApi.body.jobId}/cancel`, { method: 'POST' });
      expect((await detail(viaApi.body.jobId)).request).toEqual(asShown(full));
      const viaCli = await cliRequest([
        '--preset=survey',
        '--priority=high',
        '--label=north field',
        `--webhook=${webhook}`,
        '--email=pilot@example.org',
        '--flight-height=80',
      ]);
      expect(withoutSource(viaCli)).toEqual(full);
      expect(withoutSource(uploadJobRequest('datasets/north', full))).toEqual(full);

      // Empty input: the defaults everywhere. Only the label differs, each naming its source
      // (the uploaded set, the bucket folder); the API and the CLI give none.
      await page.goto(hub.url);
      await page.locator('#job-preset option').first().waitFor({ state: 'attached' });
      await page.locator('#files').setInputFiles(photos.slice(0, 3));
      await page.waitForURL(/#\/jobs\/job-/, { timeout: 120_000 });
      const emptyPageJob = /#\/jobs\/(job-[a-z0-9-]+)$/.exec(page.url())![1]!;
      await api(`/api/jobs/${emptyPageJob}/cancel`, { method: 'POST' });
      const emptyApi = await api<{ jobId: string }>('/api/jobs', {
        method: 'POST',
        body: JSON.stringify({ source: { kind: 'folder', path: join(photos[0]!, '..') } }),
      });
      await api(`/api/jobs/${emptyApi.body.jobId}/cancel`, { method: 'POST' });
      expect((await detail(emptyPageJob)).request).toEqual({ ...JOB_OPTION_DEFAULTS, label: '3 photos' });
      expect((await detail(emptyApi.body.jobId)).request).toEqual(JOB_OPTION_DEFAULTS);
      expect(withoutSource(await cliRequest([]))).toEqual(JOB_OPTION_DEFAULTS);
      expect(withoutSource(uploadJobRequest('datasets/north', {}))).toEqual({ ...JOB_OPTION_DEFAULTS, label: 'north' });

      // A 3D job's page asks for no map products either (a cancelled one: no SfM needed).
      const threeD = await api<{ jobId: string }>('/api/jobs', {
        method: 'POST',
        body: JSON.stringify({ source: { kind: 'folder', path: join(photos[0]!, '..') }, preset: '3d' }),
      });
      await api(`/api/jobs/${threeD.body.jobId}/cancel`, { method: 'POST' });
      await page.goto(`${hub.url}#/jobs/${threeD.body.jobId}`);
      await page.locator('#stages li[data-stage="Splat"]').waitFor();
      await page.waitForLoadState('networkidle');
      // Every read of the page went with the key (header or cookie), and none asked for what is not there.
      expect(missing).toEqual([]);
    } finally {
      await instance.close();
    }
  }, 420_000);

  test('the Keys panel creates a read key (shown once) and revokes it', async () => {
    const instance = await launchChromium();
    try {
      const page = await instance.newPage({ viewport: { width: 1366, height: 1000 } });
      page.on('dialog', (dialog) => void dialog.accept());
      await page.goto(hub.url);
      await page.getByLabel('API key', { exact: true }).fill(hub.apiKey);
      await page.getByLabel('API key', { exact: true }).press('Tab');
      await page.getByText('API keys', { exact: true }).click();
      await page.locator('#keys tr').first().waitFor();
      await page.locator('#key-label').fill('dashboard');
      await page.locator('#key-kind').selectOption('read');
      await page.getByRole('button', { name: 'Create key' }).click();
      await page.locator('#keys tr', { hasText: 'dashboard' }).waitFor();
      const secret = (await page.locator('#key-secret').textContent())!;
      expect(secret).toMatch(/^aerial_[a-f0-9]{16}_[A-Za-z0-9_-]{43}$/);
      const row = page.locator('#keys tr', { hasText: 'dashboard' });
      expect(await row.locator('td').nth(1).textContent()).toBe('read');
      // The new key reads, and only reads.
      expect((await api('/api/jobs', {}, secret)).status).toBe(200);
      expect((await api('/api/keys', {}, secret)).status).toBe(403);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'hub-api-keys.png'), fullPage: true });

      await row.getByRole('button', { name: 'revoke dashboard' }).click();
      await page.locator('#keys tr.revoked', { hasText: 'dashboard' }).waitFor();
      expect((await api('/api/jobs', {}, secret)).status).toBe(401);
      // The list never shows a secret.
      expect(await page.locator('#keys').textContent()).not.toContain(secret.slice('aerial_'.length + 17));
    } finally {
      await instance.close();
    }
  }, 120_000);
});
