import { median } from '../../geo/local-frame';

/**
 * Each camera's height above the ground its sparse points show: the median height of the points
 * below it (within a radius of half the flight height, at least 10 m), or of all points where
 * fewer than 20 lie there. This is the SfM model's own measure, in the metres of its alignment:
 * it needs no relative altitude and no GPS altitude. Undefined for cameras not above any point.
 */
export function heightsAboveSparseGround(
  cameras: readonly (readonly [number, number, number])[],
  points: readonly (readonly [number, number, number])[],
): (number | undefined)[] {
  if (points.length === 0) return cameras.map(() => undefined);
  const overall = median(points.map((p) => p[2]));
  return cameras.map(([e, n, u]) => {
    const radius = Math.max(10, (u - overall) / 2);
    const below = points.filter((p) => Math.hypot(p[0] - e, p[1] - n) <= radius).map((p) => p[2]);
    const ground = below.length >= 20 ? median(below) : overall;
    const height = u - ground;
    return height > 0 ? height : undefined;
  });
}
