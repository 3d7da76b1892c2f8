/**
 * Max vCPUs for a compute environment given the month's spend: full capacity while spend follows
 * the prorated budget, half when it runs up to 20 % ahead, a quarter beyond, none over budget.
 * Never below `desiredvCpus`, the capacity running jobs hold now: AWS Batch refuses a maximum
 * under the desired count, and the jobs already paid for should finish. The next run lowers it
 * further once they have.
 */
export function throttleDecision(o: {
  spentUsd: number;
  monthlyUsd: number;
  now: Date;
  configuredMax: number;
  /** The compute environment's current desired vCPUs. @default 0 */
  desiredvCpus?: number;
}): number {
  if (!(o.monthlyUsd > 0)) throw new Error('the monthly budget must be positive');
  const floor = Math.min(Math.max(0, o.desiredvCpus ?? 0), o.configuredMax);
  return Math.max(floor, budgetedMax(o));
}

function budgetedMax(o: { spentUsd: number; monthlyUsd: number; now: Date; configuredMax: number }): number {
  const daysInMonth = new Date(Date.UTC(o.now.getUTCFullYear(), o.now.getUTCMonth() + 1, 0)).getUTCDate();
  const elapsed = (o.now.getUTCDate() - 1 + o.now.getUTCHours() / 24) / daysInMonth;
  const prorated = o.monthlyUsd * Math.max(elapsed, 1 / daysInMonth);
  if (o.spentUsd >= o.monthlyUsd) return 0;
  const ahead = o.spentUsd / prorated;
  if (ahead <= 1) return o.configuredMax;
  if (ahead <= 1.2) return Math.max(1, Math.floor(o.configuredMax / 2));
  return Math.max(1, Math.floor(o.configuredMax / 4));
}
