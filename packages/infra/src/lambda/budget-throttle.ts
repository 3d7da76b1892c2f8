import {
  BatchClient,
  DescribeComputeEnvironmentsCommand,
  UpdateComputeEnvironmentCommand,
} from '@aws-sdk/client-batch';
import { CostExplorerClient, GetCostAndUsageCommand } from '@aws-sdk/client-cost-explorer';
import { createLogger, loadLambdaEnv, loadProcessConfig } from '@aerial/runtime';
import { throttleDecision } from './throttle-decision';

const batch = new BatchClient({});
const ce = new CostExplorerClient({ region: 'us-east-1' });

/**
 * Runs daily: when month-to-date spend is ahead of the prorated monthly budget, lower the Batch
 * compute environments' max vCPUs (new jobs queue instead of scaling out); restore them otherwise.
 * Each environment is updated on its own: one that fails does not keep the others unthrottled,
 * and the run still fails at the end so its dead-letter queue and alarm see it.
 */
export async function handler(): Promise<{ spentUsd: number; maxvCpus: Record<string, number> }> {
  const log = createLogger({ name: 'budget-throttle', level: loadProcessConfig().LOG_LEVEL });
  const { COMPUTE_ENVIRONMENTS: environments, MONTHLY_BUDGET_USD: monthlyUsd } = loadLambdaEnv();
  if (monthlyUsd === undefined)
    throw new Error('MONTHLY_BUDGET_USD is not set: the budget guardrails set it on this function');
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
  const described = await batch.send(
    new DescribeComputeEnvironmentsCommand({ computeEnvironments: Object.keys(environments) }),
  );
  const desired = new Map(
    (described.computeEnvironments ?? []).map((c) => [c.computeEnvironmentArn, c.computeResources?.desiredvCpus ?? 0]),
  );
  const maxvCpus: Record<string, number> = {};
  const failures: string[] = [];
  for (const [arn, configuredMax] of Object.entries(environments)) {
    const target = throttleDecision({ spentUsd, monthlyUsd, now, configuredMax, desiredvCpus: desired.get(arn) });
    try {
      await batch.send(
        new UpdateComputeEnvironmentCommand({ computeEnvironment: arn, computeResources: { maxvCpus: target } }),
      );
      maxvCpus[arn] = target;
    } catch (e) {
      failures.push(`${arn}: ${(e as Error).message}`);
    }
  }
  log.info({ spentUsd, monthlyUsd, maxvCpus, failures }, 'compute environments throttled to the budget');
  if (failures.length)
    throw new Error(`could not update ${failures.length} compute environment(s): ${failures.join('; ')}`);
  return { spentUsd, maxvCpus };
}
