import { median } from '../../geo/local-frame';
import { type PairMatch } from '../orthomosaic/feature-matching';
import { adjust, type AdjustedImage, synchronizeRotations } from '../orthomosaic/global-adjustment';
import { apply, type Similarity } from '../orthomosaic/similarity';

/** Images tied together by matches, placed relative to each other. */
export interface RelativeNetwork {
  /** Indices of the member images. */
  readonly members: number[];
  /** Each member's placement in the network's own frame (units: the anchor image's pixels, y down). */
  readonly placements: Similarity[];
  readonly rmsResidualPx: number;
}

/**
 * Places the images of each connected group relative to each other from the matches alone: no
 * metadata. Rotations come from the matches (synchronized over the group), one image is the gauge
 * (held at scale 1, rotation from the synchronization, at the origin), and every other image's
 * scale and position follow from the matched points, robustly re-weighted. Scales stay free (a
 * weak prior only keeps poorly tied images conditioned) so that photos taken from different
 * heights keep their own ground scale.
 */
export function relativeNetworks(
  images: readonly Pick<AdjustedImage, 'width' | 'height' | 'workingScale'>[],
  pairs: readonly PairMatch[],
): RelativeNetwork[] {
  const groups = connectedGroups(images.length, pairs);
  return groups
    .filter((members) => members.length >= 2)
    .map((members) => {
      const local = new Map(members.map((k, m) => [k, m]));
      const inGroup = pairs
        .filter((p) => local.has(p.i))
        .map((p) => ({ ...p, i: local.get(p.i)!, j: local.get(p.j)! }));
      const zero: Similarity = { a: 1, b: 0, tx: 0, ty: 0 };
      const groupImages = members.map((k) => ({ ...images[k]!, initial: zero }));
      const rotations = synchronizeRotations(groupImages, inGroup);
      const degree = members.map((_, m) => inGroup.filter((p) => p.i === m || p.j === m).length);
      const anchor = degree.indexOf(Math.max(...degree));
      const seeded = groupImages.map((image, m) => {
        const theta = rotations[m] ?? 0;
        return { ...image, initial: { a: Math.cos(theta), b: Math.sin(theta), tx: 0, ty: 0 } };
      });
      const result = adjust(seeded, inGroup, { gpsSigmaPx: Infinity, anchor, scaleSigmaPx: 200 });
      return { members, placements: result.placements, rmsResidualPx: result.rmsResidualPx };
    });
}

/** A similarity of the plane, east/north (y up): g = s·R(θ)·q + t. */
export interface PlaneSimilarity {
  readonly scale: number;
  /** Counter-clockwise, radians. */
  readonly rotation: number;
  readonly tx: number;
  readonly ty: number;
}

export interface GpsFit {
  readonly transform: PlaneSimilarity;
  /** Whether each point agrees with the fit (its GPS fix is not an outlier). */
  readonly inliers: boolean[];
  /** Root-mean-square distance of the inliers from their GPS fix, metres. */
  readonly rmsM: number;
}

export interface FitOptions {
  /** Metres per network unit, when known: only rotation and shift are fitted. */
  readonly scale?: number;
  /** Less GPS spread than this (metres) gives no fit: its baselines are GPS noise. */
  readonly minSpreadM?: number;
}

/** The largest distance between two GPS positions, metres (the diagonal of their extent). */
export function gpsSpread(gps: readonly [number, number][]): number {
  if (gps.length === 0) return 0;
  const e = gps.map((g) => g[0]);
  const n = gps.map((g) => g[1]);
  return Math.hypot(Math.max(...e) - Math.min(...e), Math.max(...n) - Math.min(...n));
}

/**
 * The similarity that carries network points (y up) onto their GPS positions (east, north,
 * metres), robust to bad fixes: least median of squares over point pairs with a long baseline
 * (baselines shorter than ~30 m are dominated by consumer GPS noise, FINDINGS.md), then
 * iteratively re-weighted least squares with Tukey's biweight. Scale is what turns matched pixels
 * into metres: GPS baselines give the photos' ground resolution whatever the GPS altitude says.
 */
export function fitToGps(
  points: readonly [number, number][],
  gps: readonly [number, number][],
  options: FitOptions = {},
): GpsFit | undefined {
  const n = points.length;
  if (n < 2) return undefined;
  const spread = gpsSpread(gps);
  if (spread < (options.minSpreadM ?? 0)) return undefined;
  const minBaseline = Math.min(30, spread / 2);
  const candidates: [number, number][] = [];
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++)
      if (Math.hypot(gps[i]![0] - gps[j]![0], gps[i]![1] - gps[j]![1]) >= minBaseline) candidates.push([i, j]);
  if (candidates.length === 0) return undefined;
  // Deterministic thinning: every k-th pair, enough for LMedS and bounded for large sets.
  const step = Math.max(1, Math.floor(candidates.length / 600));
  let best: { transform: PlaneSimilarity; medianM: number } | undefined;
  for (let c = 0; c < candidates.length; c += step) {
    const [i, j] = candidates[c]!;
    const transform = weightedFit(
      points,
      gps,
      points.map((_, k) => (k === i || k === j ? 1 : 0)),
      options.scale,
    );
    if (!transform) continue;
    const medianM = median(points.map((p, k) => distance(transform, p, gps[k]!)));
    if (!best || medianM < best.medianM) best = { transform, medianM };
  }
  if (!best) return undefined;
  let transform = best.transform;
  let sigma = Math.max(1, 1.4826 * best.medianM);
  for (let iteration = 0; iteration < 10; iteration++) {
    const residuals = points.map((p, k) => distance(transform, p, gps[k]!));
    const c = 4.685 * sigma;
    const weights = residuals.map((r) => (r < c ? (1 - (r / c) ** 2) ** 2 : 0));
    const next = weightedFit(points, gps, weights, options.scale);
    if (!next) break;
    transform = next;
    sigma = Math.max(1, 1.4826 * median(points.map((p, k) => distance(transform, p, gps[k]!))));
  }
  const residuals = points.map((p, k) => distance(transform, p, gps[k]!));
  const inliers = residuals.map((r) => r < 3 * sigma);
  const kept = residuals.filter((_, k) => inliers[k]);
  return {
    transform,
    inliers,
    rmsM: Math.sqrt(kept.reduce((s, r) => s + r * r, 0) / Math.max(1, kept.length)),
  };
}

/** Applies a plane similarity. */
export function applyPlane(t: PlaneSimilarity, [x, y]: readonly [number, number]): [number, number] {
  const c = t.scale * Math.cos(t.rotation);
  const s = t.scale * Math.sin(t.rotation);
  return [c * x - s * y + t.tx, s * x + c * y + t.ty];
}

/**
 * A placement in a network frame (y down) carried into the job's frame (y down, units `unitM`)
 * through the network's fit to GPS (y up, metres): exact, since both ends are similarities.
 */
export function carryPlacement(placement: Similarity, fit: PlaneSimilarity, unitM: number): Similarity {
  const toFrame = (u: number, v: number): [number, number] => {
    const [x, y] = apply(placement, u, v);
    const [east, north] = applyPlane(fit, [x, -y]);
    return [east / unitM, -north / unitM];
  };
  const [x0, y0] = toFrame(0, 0);
  const [x1, y1] = toFrame(1, 0);
  return { a: x1 - x0, b: y1 - y0, tx: x0, ty: y0 };
}

/** Least-squares similarity (complex form: g − ḡ = c·(q − q̄)) with per-point weights. */
function weightedFit(
  points: readonly [number, number][],
  gps: readonly [number, number][],
  weights: readonly number[],
  fixedScale?: number,
): PlaneSimilarity | undefined {
  let w = 0;
  let qx = 0;
  let qy = 0;
  let gx = 0;
  let gy = 0;
  points.forEach((p, k) => {
    const wk = weights[k]!;
    w += wk;
    qx += wk * p[0];
    qy += wk * p[1];
    gx += wk * gps[k]![0];
    gy += wk * gps[k]![1];
  });
  if (w <= 0) return undefined;
  qx /= w;
  qy /= w;
  gx /= w;
  gy /= w;
  let re = 0;
  let im = 0;
  let norm = 0;
  points.forEach((p, k) => {
    const wk = weights[k]!;
    const px = p[0] - qx;
    const py = p[1] - qy;
    const ex = gps[k]![0] - gx;
    const ey = gps[k]![1] - gy;
    // conj(q)·g
    re += wk * (px * ex + py * ey);
    im += wk * (px * ey - py * ex);
    norm += wk * (px * px + py * py);
  });
  if (norm <= 0) return undefined;
  const free = Math.hypot(re / norm, im / norm);
  if (!(free > 0)) return undefined;
  // With the scale given, only the rotation (the direction of conj(q)·g) and the shift are fitted.
  const scale = fixedScale ?? free;
  const cr = (re / norm) * (scale / free);
  const ci = (im / norm) * (scale / free);
  return { scale, rotation: Math.atan2(ci, cr), tx: gx - (cr * qx - ci * qy), ty: gy - (ci * qx + cr * qy) };
}

function distance(t: PlaneSimilarity, p: readonly [number, number], g: readonly [number, number]): number {
  const [x, y] = applyPlane(t, p);
  return Math.hypot(x - g[0], y - g[1]);
}

/** Groups of images joined by matches (union–find), largest first. */
export function connectedGroups(n: number, pairs: readonly Pick<PairMatch, 'i' | 'j'>[]): number[][] {
  const parent = Array.from({ length: n }, (_, k) => k);
  const find = (k: number): number => {
    while (parent[k] !== k) {
      parent[k] = parent[parent[k]!]!;
      k = parent[k]!;
    }
    return k;
  };
  for (const p of pairs) parent[find(p.i)] = find(p.j);
  const groups = new Map<number, number[]>();
  for (let k = 0; k < n; k++) {
    const root = find(k);
    groups.set(root, [...(groups.get(root) ?? []), k]);
  }
  return [...groups.values()].sort((a, b) => b.length - a.length || a[0]! - b[0]!);
}
