import { performance } from 'node:perf_hooks';

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
): Promise<{ candidate: Measurement; floor: Measurement; ratio: number }> {
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('rounds must be a positive integer');
  const times: Record<'candidate' | 'floor', number[]> = { candidate: [], floor: [] };
  for (let i = 0; i < rounds; i++) {
    for (const [key, subject] of [
      ['floor', floor],
      ['candidate', candidate],
    ] as const) {
      await subject.prepare?.();
      const start = performance.now();
      await subject.run();
      times[key].push((performance.now() - start) / 1000);
    }
  }
  const c = { label: candidate.label, runs: times.candidate, medianSeconds: median(times.candidate) };
  const f = { label: floor.label, runs: times.floor, medianSeconds: median(times.floor) };
  return { candidate: c, floor: f, ratio: c.medianSeconds / f.medianSeconds };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
