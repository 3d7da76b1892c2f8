import { HammingKnn } from './hamming-knn';

/** The same answer the slow way: every pair, bit by bit. */
function naive(query: Uint8Array, nq: number, train: Uint8Array, nt: number, bytes: number) {
  const out: [number, number, number][] = [];
  for (let i = 0; i < nq; i++) {
    let best = 0x7fffffff;
    let second = 0x7fffffff;
    let index = -1;
    for (let j = 0; j < nt; j++) {
      let d = 0;
      for (let k = 0; k < bytes; k++) {
        let x = query[i * bytes + k]! ^ train[j * bytes + k]!;
        for (; x; x &= x - 1) d++;
      }
      if (d < best) [second, best, index] = [best, d, j];
      else if (d < second) second = d;
    }
    out.push([index, best, second]);
  }
  return out;
}

/** Deterministic bytes (a linear congruential generator), so a failure can be reproduced. */
function bytesFrom(seed: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed;
  for (let k = 0; k < n; k++) {
    s = (s * 1103515245 + 12345) >>> 0;
    out[k] = s >>> 24;
  }
  return out;
}

describe('HammingKnn', () => {
  test.each([
    [61, 300, 257],
    [32, 5, 3],
    [64, 40, 1],
  ])(
    'finds the nearest and second-nearest of %i-byte descriptors like a brute-force count (%i × %i)',
    (bytes, nq, nt) => {
      const query = bytesFrom(1, nq * bytes);
      const train = bytesFrom(2, nt * bytes);
      // Plant near-copies, so that small distances and ties are exercised too.
      train.set(query.subarray(0, bytes), 0);
      train[1] = train[1]! ^ 1;
      const knn = new HammingKnn();
      const found = knn.search(query, nq, train, nt, bytes);
      const expected = naive(query, nq, train, nt, bytes);
      expect(Array.from(found.index)).toEqual(expected.map((e) => e[0]));
      expect(Array.from(found.best)).toEqual(expected.map((e) => e[1]));
      expect(Array.from(found.second)).toEqual(expected.map((e) => e[2]));
      expect(found.best[0]).toBe(1);
    },
  );

  test('grows its memory for large sets and is reusable', () => {
    const knn = new HammingKnn();
    const big = bytesFrom(3, 3000 * 61);
    const first = knn.search(big, 3000, big, 3000, 61);
    expect(Array.from(first.best.subarray(0, 10))).toEqual(new Array(10).fill(0));
    const small = knn.search(big, 2, big.subarray(61 * 5), 4, 61);
    expect(small.index[0]).toBe(naive(big, 2, big.subarray(61 * 5), 4, 61)[0]![0]);
  });
});
