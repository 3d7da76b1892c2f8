/** The summary printed beside every figure: the median, and the spread around it. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** First and third quartiles (linear interpolation), so one outlier does not widen the spread. */
  readonly q1: number;
  readonly q3: number;
  readonly n: number;
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** The q-quantile with linear interpolation between the closest ranks (q in [0, 1]). */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new Error('no values');
  if (!(q >= 0 && q <= 1)) throw new Error(`quantile ${q} is outside [0, 1]`);
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (at - low);
}

export function spread(values: readonly number[]): Spread {
  if (values.length === 0) throw new Error('no values');
  for (const v of values) if (!Number.isFinite(v)) throw new Error(`not a finite measurement: ${v}`);
  return {
    median: median(values),
    min: Math.min(...values),
    max: Math.max(...values),
    q1: quantile(values, 0.25),
    q3: quantile(values, 0.75),
    n: values.length,
  };
}

/**
 * Ratios taken round by round (measured[i] / baseline[i]): pairs run back to back see the same
 * machine, so the ratio holds while the machine's speed drifts between rounds.
 */
export function pairedRatios(measured: readonly number[], baseline: readonly number[]): number[] {
  if (measured.length !== baseline.length)
    throw new Error(`paired ratios need as many rounds of each (${measured.length} vs ${baseline.length})`);
  return measured.map((m, i) => {
    const b = baseline[i]!;
    if (b === 0) throw new Error('a baseline round measured 0');
    return m / b;
  });
}

/** Relative width of the interquartile range: how far a single round may be trusted. */
export function relativeIqr(s: Spread): number {
  return s.median === 0 ? 0 : (s.q3 - s.q1) / Math.abs(s.median);
}
