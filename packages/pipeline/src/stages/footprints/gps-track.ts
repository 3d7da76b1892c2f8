import { type ImageRecord } from '@aerial/contracts';

/** Standard deviation of consumer drone GPS, metres. */
export const GPS_SIGMA_M = 2;

/**
 * Pairs to try matching when footprints are not known yet: each photo with its `k` nearest by GPS
 * position, with the nearest in each quarter around it (north, east, south, west: with 90 %
 * forward overlap the `k` nearest all lie on the photo's own flight line, and the lines would
 * only meet through GPS), and with the photo taken just after it (consecutive frames overlap most
 * on any flight path, and two of them may carry the same GPS fix).
 */
export function gpsNeighbourPairs(enu: readonly [number, number][], k: number): [number, number][] {
  const seen = new Set<number>();
  const out: [number, number][] = [];
  const add = (i: number, j: number) => {
    if (i === j || i < 0 || j < 0 || i >= enu.length || j >= enu.length) return;
    const [a, b] = i < j ? [i, j] : [j, i];
    const key = a * enu.length + b;
    if (seen.has(key)) return;
    seen.add(key);
    out.push([a, b]);
  };
  enu.forEach((p, i) => {
    const others = enu
      .map((q, j) => ({ j, d: Math.hypot(q[0] - p[0], q[1] - p[1]), quarter: quarterOf(q[0] - p[0], q[1] - p[1]) }))
      .filter(({ j }) => j !== i)
      .sort((x, y) => x.d - y.d || x.j - y.j);
    for (const { j } of others.slice(0, k)) add(i, j);
    for (let quarter = 0; quarter < 4; quarter++) {
      const nearest = others.find((o) => o.quarter === quarter);
      if (nearest) add(i, nearest.j);
    }
    add(i, i + 1);
  });
  return out.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
}

/** 0 north, 1 east, 2 south, 3 west: the quarter (centred on each direction) a displacement points into. */
function quarterOf(de: number, dn: number): number {
  const azimuth = (Math.atan2(de, dn) * 180) / Math.PI;
  return Math.floor(((((azimuth + 45) % 360) + 360) % 360) / 90);
}

/**
 * The direction of travel at each photo, degrees clockwise from north: from the photo before to
 * the photo after it in capture order (capture time, then name), or to/from its one neighbour at
 * the ends. Undefined where the neighbours are too close to give a direction (hovering, or two
 * frames with the same GPS fix).
 */
export function trackHeadings(
  records: readonly Pick<ImageRecord, 'name' | 'captureTime'>[],
  enu: readonly [number, number][],
  minBaselineM = 2,
): (number | undefined)[] {
  const order = records
    .map((r, k) => ({ k, time: r.captureTime ?? '', name: r.name }))
    .sort((a, b) => a.time.localeCompare(b.time) || a.name.localeCompare(b.name, 'en', { numeric: true }))
    .map((e) => e.k);
  const out = new Array<number | undefined>(records.length).fill(undefined);
  order.forEach((k, position) => {
    const before = order[position - 1];
    const after = order[position + 1];
    const from = enu[before ?? k]!;
    const to = enu[after ?? k]!;
    const de = to[0] - from[0];
    const dn = to[1] - from[1];
    if (Math.hypot(de, dn) >= minBaselineM) out[k] = ((Math.atan2(de, dn) * 180) / Math.PI + 360) % 360;
  });
  return out;
}
