/**
 * Runs `task(0)` … `task(count − 1)`, at most `limit` at a time, each lane taking the next index as
 * it finishes one (no batch waits for its slowest member). After a failure no new task starts, the
 * running ones finish, and the first failure is thrown.
 *
 * The pipeline's one way to bound concurrency. Ours rather than p-map/p-limit: p-map rejects as soon
 * as one task fails while the others are still writing (a stage would report failure, and the engine
 * retry it, with uploads of the failed attempt still landing), and both are ESM-only in the versions
 * maintained today, which jest's CommonJS run cannot load without a transform.
 */
export async function forEachLimited(
  count: number,
  limit: number,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const lane = async () => {
    while (!failed && next < count) {
      const index = next++;
      try {
        await task(index);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  const lanes = await Promise.allSettled(Array.from({ length: Math.max(1, Math.min(limit, count)) }, lane));
  const failure = lanes.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
}
