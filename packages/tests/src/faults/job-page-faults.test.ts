/**
 * What a user sees of faults: the Hub's job page in Chromium, live, for a job whose Ingest fails
 * once with a dropped connection (retried) and whose Footprints then fails for good. The engine
 * is the fault engine (the local engine with the fault suite's fake stages), started by the Hub
 * as its engine and publishing to the Hub's broker, as `aerial engine` does.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, type SpawnedHub, spawnHub } from '../test-support/hub-process';
import { CHROMIUM, launchChromium } from '../test-support/chromium';

const HUB_MAIN = join(REPO_ROOT, 'apps', 'hub', 'lib', 'server', 'main.js');
const FAULT_ENGINE = require.resolve('@aerial/pipeline/testing/fault-engine');
const ARTIFACTS = join(REPO_ROOT, 'packages', 'tests', '.artifacts');

const browser = existsSync(CHROMIUM) ? describe : describe.skip;
if (!existsSync(CHROMIUM))
  console.warn(`skipping the job page fault test: ${CHROMIUM} is absent (tools/services/setup.sh installs it)`);

browser('the job page in Chromium when stages fail', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'aerial-page-faults-'));
  let hub: SpawnedHub;
  let apiKey: string;

  beforeAll(async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      AERIAL_DATA_DIR: dataDir,
      HUB_PORT: '0',
      // The fault engine keeps its objects under the folder it is given: the Hub's own.
      AERIAL_ENGINE_COMMAND: `${process.execPath} ${FAULT_ENGINE} ${dataDir}`,
      AERIAL_FAULT_PLAN: JSON.stringify({
        Ingest: { error: 'ECONNRESET', times: 1 },
        Footprints: { error: 'Aerial.QualityRejected' },
      }),
    };
    for (const name of ['DATABASE_URL', 'MQTT_URL', 'OBJECT_STORE', 'PUBLISHED_STORE', 'SFN_ENDPOINT'])
      delete env[name];
    hub = await spawnHub([HUB_MAIN], { env, timeoutMs: 180_000 });
    apiKey = readFileSync(join(dataDir, 'hub-api-key'), 'utf8').trim();
  }, 240_000);

  afterAll(async () => {
    await hub?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('the retried stage says it was retried, the failed stage and the job say why, Notify says it told', async () => {
    const started = await fetch(new URL('/api/jobs', hub.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ source: { kind: 'folder', path: dataDir }, preset: 'map', label: 'faults' }),
    });
    expect(started.status).toBe(202);
    const { jobId } = (await started.json()) as { jobId: string };

    const instance = await launchChromium();
    try {
      const page = await instance.newPage({ viewport: { width: 1366, height: 900 } });
      await page.goto(`${hub.url}#/jobs/${jobId}`);
      const status = page.locator('#job-status[data-status="failed"]');
      await status.waitFor({ timeout: 120_000 });
      expect(await status.textContent()).toMatch(/^FAILED in Footprints: Aerial\.QualityRejected/);
      const card = (stage: string) => page.locator(`#stages li[data-stage="${stage}"]`);
      expect(await card('Ingest').getAttribute('data-state')).toBe('done');
      expect(await card('Ingest').getAttribute('data-attempts')).toBe('2');
      expect(await card('Ingest').textContent()).toContain('done on attempt 2');
      expect(await card('Footprints').getAttribute('data-state')).toBe('failed');
      expect(await card('Notify').textContent()).toContain('failure notice sent');
      expect(await card('Publish').getAttribute('data-state')).toBe('not-run');
      // A map job shows only its preset's stages: no 3D cards waiting forever.
      for (const stage of ['SfM', 'Splat', 'Compress']) expect(await card(stage).count()).toBe(0);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'job-page-faults.png'), fullPage: true });
    } finally {
      await instance.close();
    }
    // The API agrees with the page.
    const detail = (await (await fetch(new URL(`/api/jobs/${jobId}`, hub.url))).json()) as {
      events: { type: string; stage?: string; attempt?: number }[];
    };
    expect(detail.events).toContainEqual(
      expect.objectContaining({ type: 'stage.started', stage: 'Ingest', attempt: 2 }),
    );
    expect(detail.events).toContainEqual(expect.objectContaining({ type: 'job.failed', stage: 'Footprints' }));
  }, 300_000);
});
