import { DEFAULT_ENVIRONMENTS, type EnvironmentConfig, keys } from '@aerial/contracts';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalFolderStore } from '@aerial/runtime';
import { putJson } from '@aerial/runtime';
import { runStage, type StageHandler } from '@aerial/runtime';
import { DEFAULT_COST_MODEL, estimateCost } from './cost-model';
import { guardBudgetStage, ledgerEntryKey, readLedger } from './guard-budget-stage';

const passing: StageHandler = async () => ({ outputs: [], summary: {} });

describe('GuardBudget', () => {
  let root: string;
  let store: LocalFolderStore;
  let photos: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'aerial-budget-'));
    store = new LocalFolderStore(join(root, 'objects'));
    photos = join(root, 'photos');
    mkdirSync(photos);
    // 20 files of 4 MB: sizes are all the estimate reads.
    for (let i = 0; i < 20; i++) writeFileSync(join(photos, `p${i}.jpg`), Buffer.alloc(4_000_000));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  async function guard(jobId: string, preset: string, environment: EnvironmentConfig = DEFAULT_ENVIRONMENTS.dev) {
    await putJson(store, keys.request(jobId), { source: { kind: 'folder', path: photos }, preset });
    const handlers = {
      GuardBudget: guardBudgetStage,
      Ingest: passing,
      Footprints: passing,
      Notify: passing,
      Orthomosaic: passing,
      Tiles: passing,
      Metadata: passing,
      Publish: passing,
      SfM: passing,
      Splat: passing,
      Compress: passing,
    };
    return runStage({ jobId, stage: 'GuardBudget' }, { store, environment, handlers });
  }

  test('estimates the cost and records it in the month ledger', async () => {
    const manifest = await guard('job-a', 'full');
    expect(manifest.summary).toMatchObject({ images: 20, megapixels: expect.closeTo(177.8, 0) });
    const usd = manifest.summary.usd as number;
    expect(usd).toBeGreaterThan(0.05);
    const ledger = await readLedger(store, 'dev', new Date().toISOString().slice(0, 7));
    expect(ledger).toEqual({ 'job-a': usd });
  });

  test('3D costs more than a map, a map more than a survey', () => {
    const cost = (stages: Parameters<typeof estimateCost>[1]) =>
      estimateCost(DEFAULT_COST_MODEL, stages, 100, 450e6, 3).usd;
    expect(cost(['Ingest', 'Footprints'])).toBeLessThan(cost(['Ingest', 'Footprints', 'Orthomosaic', 'Tiles']));
    expect(cost(['Ingest', 'Orthomosaic', 'Tiles'])).toBeLessThan(
      cost(['Ingest', 'Orthomosaic', 'Tiles', 'SfM', 'Splat', 'Compress']),
    );
  });

  test('refuses a job above the per-job limit with Aerial.BudgetExceeded', async () => {
    const tight = { ...DEFAULT_ENVIRONMENTS.dev, budget: { monthlyUsd: 100, maxJobUsd: 0.01, alertEmails: [] } };
    await expect(guard('job-b', 'full', tight)).rejects.toMatchObject({
      name: 'Aerial.BudgetExceeded',
      message: expect.stringMatching(/estimated at \$\d+\.\d\d, above the dev limit of \$0\.01 per job/),
    });
  });

  test('refuses a job that would take the month over budget, counting earlier jobs once', async () => {
    const env = { ...DEFAULT_ENVIRONMENTS.dev, budget: { monthlyUsd: 0.5, maxJobUsd: 0.5, alertEmails: [] } };
    const first = (await guard('job-c', 'full', env)).summary.usd as number;
    await guard('job-c', 'full', env); // a retry of the same job is not counted twice
    const month = new Date().toISOString().slice(0, 7);
    expect(await readLedger(store, 'dev', month)).toEqual({ 'job-c': first });
    await putJson(store, ledgerEntryKey('dev', month, 'other'), { jobId: 'other', usd: 0.5 - first / 2, at: 'x' });
    await expect(guard('job-d', 'full', env)).rejects.toMatchObject({
      name: 'Aerial.BudgetExceeded',
      message: expect.stringMatching(/above its \$0\.50 budget/),
    });
  });

  test('refuses more images than the environment allows', async () => {
    const small = { ...DEFAULT_ENVIRONMENTS.dev, limits: { ...DEFAULT_ENVIRONMENTS.dev.limits, maxImagesPerJob: 10 } };
    await expect(guard('job-e', 'survey', small)).rejects.toMatchObject({
      name: 'Aerial.InvalidInput',
      message: expect.stringMatching(/20 files, above the dev limit of 10 images per job/),
    });
  });

  test('two jobs racing for the last of the budget cannot both pass, and a refused job leaves no entry', async () => {
    const first = (await guard('job-f', 'full')).summary.usd as number;
    const month = new Date().toISOString().slice(0, 7);
    await store.delete(ledgerEntryKey('dev', month, 'job-f'));
    // Room for one job of this size, not two.
    const env = {
      ...DEFAULT_ENVIRONMENTS.dev,
      budget: { monthlyUsd: first * 1.5, maxJobUsd: first * 1.5, alertEmails: [] },
    };
    const results = await Promise.allSettled([guard('job-g', 'full', env), guard('job-h', 'full', env)]);
    expect(results.filter((r) => r.status === 'fulfilled').length).toBeLessThanOrEqual(1);
    for (const r of results) {
      if (r.status === 'rejected') expect(r.reason).toMatchObject({ name: 'Aerial.BudgetExceeded' });
    }
    const ledger = await readLedger(store, 'dev', month);
    expect(Object.values(ledger).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(env.budget.monthlyUsd);
    expect(Object.keys(ledger).length).toBe(results.filter((r) => r.status === 'fulfilled').length);
  });
});
