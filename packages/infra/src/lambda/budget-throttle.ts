import { BatchClient, UpdateComputeEnvironmentCommand } from '@aws-sdk/client-batch';
import { CostExplorerClient, GetCostAndUsageCommand } from '@aws-sdk/client-cost-explorer';
import { throttleDecision } from './throttle-decision';

const batch = new BatchClient({});
const ce = new CostExplorerClient({ region: 'us-east-1' });

/**
 * Runs daily: when month-to-date spend is ahead of the prorated monthly budget, lower the Batch
 * compute environments' max vCPUs (new jobs queue instead of scaling out); restore them otherwise.
 */
export async function handler(): Promise<{ spentUsd: number; maxvCpus: Record<string, number> }> {
  const now = new Date();
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString().slice(0, 10);
  const end = new Date(now.getTime() + 86_400_000).toISOString().slice(0, 10);
  const out = await ce.send(
    new GetCostAndUsageCommand({
      TimePeriod: { Start: start, End: end },
      Granularity: 'MONTHLY',
      Metrics: ['UnblendedCost'],
    }),
  );
  const spentUsd = Number(out.ResultsByTime?.[0]?.Total?.UnblendedCost?.Amount ?? 0);
  const environments = JSON.parse(process.env.COMPUTE_ENVIRONMENTS ?? '{}') as Record<string, number>;
  const monthlyUsd = Number(process.env.MONTHLY_BUDGET_USD);
  const maxvCpus: Record<string, number> = {};
  for (const [arn, configuredMax] of Object.entries(environments)) {
    const target = throttleDecision({ spentUsd, monthlyUsd, now, configuredMax });
    await batch.send(
      new UpdateComputeEnvironmentCommand({ computeEnvironment: arn, computeResources: { maxvCpus: target } }),
    );
    maxvCpus[arn] = target;
  }
  return { spentUsd, maxvCpus };
}
