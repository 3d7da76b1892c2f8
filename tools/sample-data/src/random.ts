// Math held in a module constant: under jest every global lookup goes through the vm context's
// interceptor, which made these per-pixel loops 5–60× slower in tests than in production.
const M = Math;
/** A small seeded generator (mulberry32): the same seed renders the same survey everywhere. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = M.imul(t ^ (t >>> 15), t | 1);
    t ^= t + M.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal deviate (Box–Muller). */
export function gaussian(random: () => number): number {
  const u = M.max(random(), 1e-12);
  return M.sqrt(-2 * M.log(u)) * M.cos(2 * M.PI * random());
}

/** Deterministic lattice hash in [0, 1). */
export function hash2(x: number, y: number, seed: number): number {
  let h = M.imul(x, 374761393) ^ M.imul(y, 668265263) ^ M.imul(seed, 2147483647);
  h = M.imul(h ^ (h >>> 13), 1274126177);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

/** Smooth value noise in [0, 1) at the given cell size. */
export function valueNoise(x: number, y: number, cell: number, seed: number): number {
  const fx = x / cell;
  const fy = y / cell;
  const x0 = M.floor(fx);
  const y0 = M.floor(fy);
  const tx = fx - x0;
  const ty = fy - y0;
  const sx = tx * tx * (3 - 2 * tx);
  const sy = ty * ty * (3 - 2 * ty);
  const a = hash2(x0, y0, seed);
  const b = hash2(x0 + 1, y0, seed);
  const c = hash2(x0, y0 + 1, seed);
  const d = hash2(x0 + 1, y0 + 1, seed);
  return a + (b - a) * sx + (c - a) * sy + (a - b - c + d) * sx * sy;
}
