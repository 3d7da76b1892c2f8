import { AerialError, declaredOutput, stageOutputKey, type StageSummary } from '@aerial/contracts';
import { z } from 'zod';
import { AERIAL_PIPELINE, stagesFor } from '@aerial/definition';
import { getJson, type ObjectStore, putJson } from '@aerial/runtime';
import { datasetLimits, openDataset } from '@aerial/runtime';
import { type StageHandler } from '@aerial/runtime';
import { DEFAULT_COST_MODEL, estimateCost } from './cost-model';

const LedgerEntrySchema = z.object({ jobId: z.string(), usd: z.number().nonnegative(), at: z.string() });

/**
 * Month-to-date estimates per environment, so concurrent jobs count against one budget: one object
 * per job, so that no job's write can replace another's (a shared file read, changed and written
 * back would lose an entry when two jobs do it at once).
 */
export const ledgerPrefix = (environment: string, month: string) => `budget/${environment}/${month}/`;
export const ledgerEntryKey = (environment: string, month: string, jobId: string) =>
  `${ledgerPrefix(environment, month)}${jobId}.json`;

/** The month's estimates by job, as the ledger holds them now. */
export async function readLedger(
  store: ObjectStore,
  environment: string,
  month: string,
): Promise<Record<string, number>> {
  const entries: Record<string, number> = {};
  for await (const object of store.list(ledgerPrefix(environment, month))) {
    const entry = LedgerEntrySchema.safeParse(await getJson(store, object.key));
    if (entry.success) entries[entry.data.jobId] = entry.data.usd;
  }
  return entries;
}

/**
 * GuardBudget: refuse a job before it spends anything when its stages are not all available in
 * this build, when it has more images than the environment allows, when its estimated cost is
 * above the per-job limit, or when it would take the month's spending over the budget.
 */
export const guardBudgetStage: StageHandler = async (invocation, context) => {
  const { environment, request, store } = context;
  const stages = stagesFor(AERIAL_PIPELINE, request.preset);
  const missing = stages.filter((s) => !context.availableStages.includes(s));
  if (missing.length) {
    throw new AerialError(
      'Aerial.InvalidInput',
      `preset "${request.preset}" needs ${missing.join(', ')}, which this build does not include`,
      `use a preset whose stages are available (${context.availableStages.join(', ')})`,
    );
  }

  const dataset = await openDataset(request.source, context.uploads, datasetLimits(environment));
  const files = dataset.entries.length;
  const bytes = dataset.entries.reduce((sum, e) => sum + e.bytes, 0);
  await dataset.close();
  if (files > environment.limits.maxImagesPerJob) {
    throw new AerialError(
      'Aerial.InvalidInput',
      `the dataset has ${files} files, above the ${environment.name} limit of ${environment.limits.maxImagesPerJob} images per job`,
      'split it into smaller jobs',
    );
  }
  const estimate = estimateCost(DEFAULT_COST_MODEL, stages, files, bytes, environment.retention.workDays);
  if (estimate.usd > environment.budget.maxJobUsd) {
    throw new AerialError(
      'Aerial.BudgetExceeded',
      `the job is estimated at $${estimate.usd.toFixed(2)}, above the ${environment.name} limit of $${environment.budget.maxJobUsd.toFixed(2)} per job`,
      'choose a lighter preset or fewer images',
    );
  }

  // Reserve first, then count: of two jobs racing for the last of the budget, the one that counts
  // second sees both reservations and withdraws its own, so they cannot both pass (at worst both
  // withdraw, and a retry passes). A retried job replaces its own entry and is counted once.
  const month = new Date().toISOString().slice(0, 7);
  const entryKey = ledgerEntryKey(environment.name, month, invocation.jobId);
  await putJson(store, entryKey, { jobId: invocation.jobId, usd: estimate.usd, at: new Date().toISOString() });
  const ledger = await readLedger(store, environment.name, month);
  const spent = Object.entries(ledger)
    .filter(([job]) => job !== invocation.jobId)
    .reduce((sum, [, usd]) => sum + usd, 0);
  if (spent + estimate.usd > environment.budget.monthlyUsd) {
    await store.delete(entryKey);
    throw new AerialError(
      'Aerial.BudgetExceeded',
      `the job (estimated $${estimate.usd.toFixed(2)}) would take ${environment.name} to $${(spent + estimate.usd).toFixed(2)} this month, above its $${environment.budget.monthlyUsd.toFixed(2)} budget`,
      'wait for next month or raise the budget',
    );
  }

  const estimateKey = stageOutputKey(invocation.jobId, 'GuardBudget', 'estimate');
  const info = await putJson(store, estimateKey, { ...estimate, stages, monthToDateUsd: spent + estimate.usd });
  return {
    outputs: [declaredOutput('GuardBudget', 'estimate', { key: estimateKey, bytes: info.bytes })],
    summary: {
      usd: estimate.usd,
      images: files,
      megapixels: estimate.megapixels,
      monthToDateUsd: Math.round((spent + estimate.usd) * 100) / 100,
    } satisfies StageSummary<'GuardBudget'>,
  };
};
