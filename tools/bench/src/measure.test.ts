import { median, sideBySide } from './measure';

describe('sideBySide', () => {
  test('alternates the two subjects and reports medians and their ratio', async () => {
    const order: string[] = [];
    const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const result = await sideBySide(
      3,
      { label: 'slow', run: async () => (order.push('slow'), wait(40)) },
      { label: 'fast', run: async () => (order.push('fast'), wait(10)) },
    );
    expect(order).toEqual(['fast', 'slow', 'fast', 'slow', 'fast', 'slow']);
    expect(result.candidate.runs).toHaveLength(3);
    expect(result.ratio).toBeGreaterThan(1.5);
  });

  test('prepare runs before each run, off the clock', async () => {
    const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const order: string[] = [];
    const result = await sideBySide(
      2,
      { label: 'c', prepare: async () => (order.push('prepare'), wait(60)), run: async () => void order.push('c') },
      { label: 'f', run: async () => (order.push('f'), wait(5)) },
    );
    expect(order).toEqual(['f', 'prepare', 'c', 'f', 'prepare', 'c']);
    expect(result.candidate.medianSeconds).toBeLessThan(0.05);
  });

  test('median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });

  test('refuses zero rounds', async () => {
    const noop = { label: 'x', run: async () => undefined };
    await expect(sideBySide(0, noop, noop)).rejects.toThrow(/rounds must be a positive integer/);
  });
});
