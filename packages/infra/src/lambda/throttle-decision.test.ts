import { throttleDecision } from './throttle-decision';

describe('throttleDecision', () => {
  const mid = new Date(Date.UTC(2026, 10, 16, 0)); // day 16 of 30: half the month gone
  test('full capacity while spend follows the prorated budget', () => {
    expect(throttleDecision({ spentUsd: 140, monthlyUsd: 300, now: mid, configuredMax: 32 })).toBe(32);
  });
  test('half when up to 20 % ahead, a quarter beyond, none over budget', () => {
    expect(throttleDecision({ spentUsd: 170, monthlyUsd: 300, now: mid, configuredMax: 32 })).toBe(16);
    expect(throttleDecision({ spentUsd: 250, monthlyUsd: 300, now: mid, configuredMax: 32 })).toBe(8);
    expect(throttleDecision({ spentUsd: 300, monthlyUsd: 300, now: mid, configuredMax: 32 })).toBe(0);
  });
  test('the first day of a month is not throttled by a near-zero proration', () => {
    expect(
      throttleDecision({ spentUsd: 5, monthlyUsd: 300, now: new Date(Date.UTC(2026, 10, 1, 1)), configuredMax: 32 }),
    ).toBe(32);
  });
  test('refuses a budget of zero', () => {
    expect(() => throttleDecision({ spentUsd: 0, monthlyUsd: 0, now: mid, configuredMax: 8 })).toThrow(
      /must be positive/,
    );
  });
});

describe('throttleDecision with jobs running', () => {
  const mid = new Date(Date.UTC(2026, 10, 16, 0));
  test('never sets the maximum below the vCPUs running jobs hold (Batch would refuse the update)', () => {
    expect(throttleDecision({ spentUsd: 300, monthlyUsd: 300, now: mid, configuredMax: 32, desiredvCpus: 12 })).toBe(
      12,
    );
    expect(throttleDecision({ spentUsd: 250, monthlyUsd: 300, now: mid, configuredMax: 32, desiredvCpus: 16 })).toBe(
      16,
    );
  });
  test('lowers to the budgeted maximum once the desired count is below it', () => {
    expect(throttleDecision({ spentUsd: 250, monthlyUsd: 300, now: mid, configuredMax: 32, desiredvCpus: 4 })).toBe(8);
  });
  test('a desired count above the configured maximum does not raise it', () => {
    expect(throttleDecision({ spentUsd: 0, monthlyUsd: 300, now: mid, configuredMax: 32, desiredvCpus: 64 })).toBe(32);
  });
});
