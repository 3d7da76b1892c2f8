import { performance } from 'node:perf_hooks';
import { median } from './stats';

export { median } from './stats';

export interface Measurement {
  readonly label: string;
  /** Wall time of each run, seconds. */
  readonly runs: number[];
  readonly medianSeconds: number;
}

export interface Subject {
  readonly label: string;
  readonly run: () => Promise<unknown>;
  /** Runs before each timed run, untimed (e.g. clearing the previous run's output). */
  readonly prepare?: () => Promise<unknown>;
}

/**
 * Runs `candidate` and `floor` alternately `rounds` times, so both see the same machine state
 * (caches, other load), and reports the median of each. Benchmarks compare within one run only.
 */
export async function sideBySide(
  rounds: number,
  candidate: Subject,
  floor: Subject,
  options: { warmup?: number } = {},
): Promise<{ candidate: Measurement; floor: Measurement; ratio: number }> {
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('rounds must be a positive integer');
  const warmup = options.warmup ?? 0;
  const times: Record<'candidate' | 'floor', number[]> = { candidate: [], floor: [] };
  // Warm-up rounds (untimed) load code, JIT and the page cache for both before the first timed pair.
  for (let i = 0; i < warmup + rounds; i++) {
    for (const [key, subject] of [
      ['floor', floor],
      ['candidate', candidate],
    ] as const) {
      await subject.prepare?.();
      const start = performance.now();
      await subject.run();
      if (i >= warmup) times[key].push((performance.now() - start) / 1000);
    }
  }
  const c = { label: candidate.label, runs: times.candidate, medianSeconds: median(times.candidate) };
  const f = { label: floor.label, runs: times.floor, medianSeconds: median(times.floor) };
  return { candidate: c, floor: f, ratio: c.medianSeconds / f.medianSeconds };
}
