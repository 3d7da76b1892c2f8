import { forEachLimited } from './for-each-limited';

describe('forEachLimited', () => {
  const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

  test('runs every index once, never more than the limit at a time', async () => {
    let running = 0;
    let peak = 0;
    const seen: number[] = [];
    await forEachLimited(10, 3, async (k) => {
      running++;
      peak = Math.max(peak, running);
      await wait(k % 3);
      seen.push(k);
      running--;
    });
    expect(seen.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(peak).toBe(3);
  });

  test('after a failure starts nothing new, lets the running finish, and throws the first failure', async () => {
    const started: number[] = [];
    let finished = 0;
    await expect(
      forEachLimited(20, 2, async (k) => {
        started.push(k);
        await wait(5);
        if (k === 1) throw new Error('task 1 failed');
        finished++;
      }),
    ).rejects.toThrow('task 1 failed');
    expect(started.length).toBeLessThan(20);
    const after = finished;
    await wait(20);
    expect(finished).toBe(after);
  });

  test('nothing to do is fine', async () => {
    await expect(forEachLimited(0, 4, async () => undefined)).resolves.toBeUndefined();
  });
});
