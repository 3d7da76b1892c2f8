/**
 * Cancel and resume as a user does them: the Hub on its embedded services, its job page in
 * Chromium. The engine is the fault engine (the local engine with the fault suite's fake stages,
 * behind its Step Functions API, publishing to the Hub's broker): Ingest waits for a file, so a
 * job can be caught running and cancelled; Footprints fails the first time in each job, so a job
 * can fail and be resumed. The Hub resumes through RedriveExecution, as on AWS.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { REPO_ROOT, type SpawnedHub, spawnHub } from './test-support/hub-process';
import { CHROMIUM, launchChromium } from './test-support/chromium';

const HUB_MAIN = join(REPO_ROOT, 'apps', 'hub', 'lib', 'server', 'main.js');
const FAULT_ENGINE = require.resolve('@aerial/pipeline/testing/fault-engine');
const ARTIFACTS = join(REPO_ROOT, 'packages', 'tests', '.artifacts');

const browser = existsSync(CHROMIUM) ? describe : describe.skip;
if (!existsSync(CHROMIUM))
  console.warn(`skipping the job actions test: ${CHROMIUM} is absent (tools/services/setup.sh installs it)`);

interface Detail {
  status: string;
  events: { type: string; stage?: string; attempt?: number }[];
  attempts: { attempt: number; kind: string; fromStage: string | null; outcome: string | null; stage: string | null }[];
  execution: { status: string } | null;
}

browser('cancel and resume on the job page (embedded services, local engine)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'aerial-job-actions-'));
  const ingestGo = join(dataDir, 'ingest-may-finish');
  let hub: SpawnedHub;
  let apiKey: string;
  let chromium: Browser;
  let page: Page;

  beforeAll(async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      AERIAL_DATA_DIR: dataDir,
      HUB_PORT: '0',
      // The fault engine keeps its objects under the folder it is given: the Hub's own.
      AERIAL_ENGINE_COMMAND: `${process.execPath} ${FAULT_ENGINE} ${dataDir}`,
      AERIAL_FAULT_PLAN: JSON.stringify({
        Ingest: { waitForFile: ingestGo },
        Footprints: { error: 'Aerial.QualityRejected', times: 1 },
      }),
    };
    for (const name of ['DATABASE_URL', 'MQTT_URL', 'OBJECT_STORE', 'PUBLISHED_STORE', 'SFN_ENDPOINT'])
      delete env[name];
    hub = await spawnHub([HUB_MAIN], { env, timeoutMs: 180_000 });
    apiKey = readFileSync(join(dataDir, 'hub-api-key'), 'utf8').trim();
    chromium = await launchChromium();
    page = await chromium.newPage({ viewport: { width: 1366, height: 1000 } });
    // The page sends the key it keeps, as after a user typed it once.
    await page.addInitScript(`localStorage.setItem('aerial-api-key', ${JSON.stringify(apiKey)})`);
  }, 240_000);

  afterAll(async () => {
    await chromium?.close();
    await hub?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const start = async (label: string) => {
    const started = await fetch(new URL('/api/jobs', hub.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ source: { kind: 'folder', path: dataDir }, preset: 'map', label }),
    });
    expect(started.status).toBe(202);
    return ((await started.json()) as { jobId: string }).jobId;
  };
  const detail = async (jobId: string) =>
    (await (await fetch(new URL(`/api/jobs/${jobId}`, hub.url))).json()) as Detail;
  const buttons = async () => (await page.locator('#job-actions button').allTextContents()).sort();
  const card = (stage: string) => page.locator(`#stages li[data-stage="${stage}"]`);
  /** Waits for `selector` on the page; when it never shows, says what the page, the API and the Hub saw. */
  const until = async (jobId: string, selector: string, timeout: number) => {
    try {
      await page.locator(selector).waitFor({ timeout });
    } catch (e) {
      const status = await page.locator('#job-status').evaluate((el) => `${el.textContent} [${el.dataset.status}]`);
      throw new Error(
        `${(e as Error).message}\npage ${page.url()}: ${status}\ndetail: ${JSON.stringify(await detail(jobId))}\n` +
          `hub log:\n${hub.log.slice(-30).join('\n')}`,
      );
    }
  };

  test('a running job is cancelled from its page: the engine reports it ABORTED, and it may be resumed or retried', async () => {
    const jobId = await start('to cancel');
    await page.goto(`${hub.url}#/jobs/${jobId}`);
    await page.locator('#stages li[data-stage="Ingest"][data-state="running"]').waitFor({ timeout: 60_000 });
    await page.locator('#job-actions button.action-cancel').waitFor({ timeout: 30_000 });
    expect(await buttons()).toEqual(['Cancel']);

    await page.locator('#job-actions button.action-cancel').click();
    await until(jobId, '#job-status[data-status="cancelled"]', 60_000);
    expect(await page.locator('#job-status').textContent()).toBe('CANCELLED in Ingest');
    await page.locator('#job-execution', { hasText: 'engine: ABORTED' }).waitFor({ timeout: 30_000 });
    expect(await buttons()).toEqual(['Resume', 'Retry']);
    // The attempt closes once the job's own last event is stored (the engine's word may come first).
    await page.locator('#attempts li[data-outcome="cancelled"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('#attempts li').count()).toBe(1);
    expect(await card('Ingest').getAttribute('data-state')).toBe('stopped');

    const after = await detail(jobId);
    expect(after).toMatchObject({ status: 'cancelled', execution: { status: 'ABORTED' } });
    expect(after.attempts).toEqual([expect.objectContaining({ attempt: 1, outcome: 'cancelled', stage: 'Ingest' })]);
  }, 180_000);

  test('a failed job is resumed from its page: it continues from the failed stage, earlier stages not run again, and succeeds', async () => {
    writeFileSync(ingestGo, 'go');
    const jobId = await start('to resume');
    await page.goto(`${hub.url}#/jobs/${jobId}`);
    await until(jobId, '#job-status[data-status="failed"]', 120_000);
    expect(await page.locator('#job-status').textContent()).toMatch(/^FAILED in Footprints: Aerial\.QualityRejected/);
    await page.locator('#job-actions button.action-resume').waitFor({ timeout: 30_000 });
    expect(await buttons()).toEqual(['Resume', 'Retry']);

    await page.locator('#job-actions button.action-resume').click();
    await until(jobId, '#job-status[data-status="succeeded"]', 120_000);
    await page.locator('#attempts li[data-attempt="2"][data-outcome="succeeded"]').waitFor({ timeout: 30_000 });
    const attempts = await page.locator('#attempts li').allTextContents();
    expect(attempts).toHaveLength(2);
    expect(attempts[0]).toMatch(/^Attempt 1 started at .* — failed in Footprints at .*: Aerial\.QualityRejected/);
    expect(attempts[1]).toMatch(/^Attempt 2 resumed from Footprints at .* — succeeded at /);
    expect(await card('Footprints').getAttribute('data-state')).toBe('done');
    expect(await card('Publish').getAttribute('data-state')).toBe('done');
    expect(await buttons()).toEqual(['Retry']);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'job-page.png'), fullPage: true });

    // The history and the engine's run log agree: the stages before Footprints ran once.
    const after = await detail(jobId);
    const started = (stage: string) =>
      after.events.filter((e) => e.type === 'stage.started' && e.stage === stage).length;
    expect([started('GuardBudget'), started('Ingest'), started('Footprints'), started('Publish')]).toEqual([
      1, 1, 2, 1,
    ]);
    expect(after.events.filter((e) => e.type === 'job.started')).toHaveLength(1);
    expect(after.events).toContainEqual(
      expect.objectContaining({ type: 'job.resumed', attempt: 2, stage: 'Footprints' }),
    );
    expect(after.attempts.map((a) => [a.kind, a.outcome])).toEqual([
      ['start', 'failed'],
      ['resume', 'succeeded'],
    ]);
    const runs = readFileSync(join(dataDir, 'runs.log'), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith(`${jobId} `))
      .map((line) => line.split(' ')[1]);
    expect(runs.filter((s) => s === 'Ingest')).toHaveLength(1);
    expect(runs.filter((s) => s === 'Footprints')).toHaveLength(2);
  }, 300_000);
});
