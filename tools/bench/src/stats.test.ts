import { median, pairedRatios, quantile, relativeIqr, spread } from './stats';

describe('statistics', () => {
  test('median of odd and even counts, unsorted input left alone', () => {
    const values = [3, 1, 2];
    expect(median(values)).toBe(2);
    expect(values).toEqual([3, 1, 2]);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([7])).toBe(7);
  });

  test('quantiles interpolate between ranks', () => {
    expect(quantile([1, 2, 3, 4, 5], 0.25)).toBe(2);
    expect(quantile([1, 2, 3, 4], 0.25)).toBeCloseTo(1.75);
    expect(quantile([10, 20], 1)).toBe(20);
    expect(() => quantile([], 0.5)).toThrow(/no values/);
    expect(() => quantile([1], 1.5)).toThrow(/outside/);
  });

  test('spread reports median, min–max and the quartiles; one outlier moves max, not the IQR much', () => {
    const s = spread([10, 11, 12, 13, 100]);
    expect(s).toEqual({ median: 12, min: 10, max: 100, q1: 11, q3: 13, n: 5 });
    expect(relativeIqr(s)).toBeCloseTo(2 / 12);
    expect(() => spread([1, Number.NaN])).toThrow(/finite/);
  });

  test('paired ratios divide round by round and refuse unequal rounds or a zero baseline', () => {
    expect(pairedRatios([2, 6], [1, 3])).toEqual([2, 2]);
    expect(() => pairedRatios([1, 2], [1])).toThrow(/as many rounds/);
    expect(() => pairedRatios([1], [0])).toThrow(/measured 0/);
  });
});
