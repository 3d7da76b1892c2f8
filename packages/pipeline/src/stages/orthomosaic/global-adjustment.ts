import { AerialError } from '@aerial/contracts';
import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import { type PairMatch } from './feature-matching';
import { apply, rotationOf, type Similarity, scaleOf, wrapAngle } from './similarity';

/** One image as the adjustment sees it. */
export interface AdjustedImage {
  /** Full-resolution size, pixels. */
  readonly width: number;
  readonly height: number;
  /** Working pixels per full-resolution pixel (the scale the matches were found at). */
  readonly workingScale: number;
  /** Placement from metadata: GPS centre, recorded yaw, scale from height and focal length. */
  readonly initial: Similarity;
}

export interface AdjustmentOptions {
  /**
   * Standard deviation of GPS positions, in the placements' units (a frame of about one ground
   * pixel); Infinity leaves positions to the matches.
   */
  readonly gpsSigmaPx: number;
  /**
   * An image held at its initial placement: the gauge of a network with no GPS prior (see
   * footprints/free-network.ts). Every other image must then be tied to it by matches.
   */
  readonly anchor?: number;
  /** How far the image edges may move from the metadata's scale before it costs one σ, mosaic pixels. */
  readonly scaleSigmaPx?: number;
  /** Matched points used per pair (evenly spread). @default 60 */
  readonly pointsPerPair?: number;
  /** Huber threshold of the robust re-weighting, mosaic pixels. @default 2 */
  readonly huberPx?: number;
}

export interface AdjustmentResult {
  readonly placements: Similarity[];
  /** Images tied to another by matches (their placement comes from the pixels, not just metadata). */
  readonly registered: boolean[];
  /** Recorded yaw minus registered rotation, degrees, per image (undefined when unregistered). */
  readonly yawDisagreementDeg: (number | undefined)[];
  /** Root-mean-square distance between matched points after adjustment, mosaic pixels. */
  readonly rmsResidualPx: number;
  readonly pairs: number;
}

/**
 * Places every image in the mosaic from its metadata and the pairwise matches, in two steps.
 * Rotations first: each image's rotation follows from its neighbours' through the matches
 * (breadth-first from the best-connected image, then averaged), and one offset, the circular
 * median over all images of recorded yaw minus relative rotation, ties them to north. A recorded
 * yaw that is wrong (a photo rotated after the flight) is then outvoted instead of trusted.
 * Then one linear least-squares problem for all similarities together: matched points must land
 * on each other, centres stay near GPS, scale and rotation near step one (which fixes the gauge;
 * without it the solution shrinks every image to a point), re-weighted robustly against
 * parallax. Linear, because a similarity is linear in (a, b, tx, ty).
 */
export function adjust(
  images: readonly AdjustedImage[],
  pairs: readonly PairMatch[],
  options: AdjustmentOptions,
): AdjustmentResult {
  const n = images.length;
  const rotations = synchronizeRotations(images, pairs);
  const centred = pairs.map((pair) => centredPoints(images, pair, options.pointsPerPair ?? 60));
  const registered = images.map((_, k) => pairs.some((p) => p.i === k || p.j === k));

  const scaleSigma = options.scaleSigmaPx ?? 10;
  const priors = images.map((image, k) => {
    const s = scaleOf(image.initial);
    const theta = rotations[k] ?? rotationOf(image.initial);
    const halfDiagonal = Math.hypot(image.width, image.height) / 2;
    // A change δ in a (or b) moves the image corners by δ·halfDiagonal mosaic pixels.
    return { a: s * Math.cos(theta), b: s * Math.sin(theta), weight: halfDiagonal / scaleSigma };
  });

  const huber = options.huberPx ?? 2;
  let weights: number[][] = centred.map((c) => new Array<number>(c.length / 4).fill(1));
  let placements: Similarity[] = images.map((image) => image.initial);
  for (let iteration = 0; iteration < 4; iteration++) {
    const size = 4 * n;
    const normal = new Float64Array(size * size);
    const rhs = new Float64Array(size);
    const addRow = (entries: [number, number][], value: number, weight: number) => {
      const w2 = weight * weight;
      for (const [p, cp] of entries) {
        rhs[p]! += w2 * cp * value;
        for (const [q, cq] of entries) normal[p * size + q]! += w2 * (cp * cq);
      }
    };
    images.forEach((image, k) => {
      const o = 4 * k;
      const anchored = k === options.anchor;
      // The anchor's weight dwarfs the matches' (1 per point) without spoiling the conditioning.
      const abWeight = anchored ? 1e4 * priors[k]!.weight : priors[k]!.weight;
      const tWeight = anchored ? 1e4 : 1 / options.gpsSigmaPx;
      addRow([[o, 1]], anchored ? image.initial.a : priors[k]!.a, abWeight);
      addRow([[o + 1, 1]], anchored ? image.initial.b : priors[k]!.b, abWeight);
      if (tWeight > 0) {
        addRow([[o + 2, 1]], image.initial.tx, tWeight);
        addRow([[o + 3, 1]], image.initial.ty, tWeight);
      }
    });
    pairs.forEach((pair, m) => {
      const points = centred[m]!;
      const oi = 4 * pair.i;
      const oj = 4 * pair.j;
      for (let k = 0; k < points.length / 4; k++) {
        const [pu, pv, qu, qv] = [points[4 * k]!, points[4 * k + 1]!, points[4 * k + 2]!, points[4 * k + 3]!];
        const w = weights[m]![k]!;
        addRow(
          [
            [oi, pu],
            [oi + 1, -pv],
            [oi + 2, 1],
            [oj, -qu],
            [oj + 1, qv],
            [oj + 2, -1],
          ],
          0,
          w,
        );
        addRow(
          [
            [oi, pv],
            [oi + 1, pu],
            [oi + 3, 1],
            [oj, -qv],
            [oj + 1, -qu],
            [oj + 3, -1],
          ],
          0,
          w,
        );
      }
    });
    const solution = solveSymmetric(normal, rhs, size);
    placements = images.map((_, k) => ({
      a: solution[4 * k]!,
      b: solution[4 * k + 1]!,
      tx: solution[4 * k + 2]!,
      ty: solution[4 * k + 3]!,
    }));
    weights = pairs.map((pair, m) =>
      residuals(placements, pair, centred[m]!).map((r) => (r <= huber ? 1 : Math.sqrt(huber / r))),
    );
  }

  let sum = 0;
  let count = 0;
  pairs.forEach((pair, m) => {
    for (const r of residuals(placements, pair, centred[m]!)) {
      sum += r * r;
      count++;
    }
  });
  return {
    placements,
    registered,
    yawDisagreementDeg: images.map((image, k) =>
      registered[k] ? (wrapAngle(rotationOf(image.initial) - rotationOf(placements[k]!)) * 180) / Math.PI : undefined,
    ),
    rmsResidualPx: count ? Math.sqrt(sum / count) : 0,
    pairs: pairs.length,
  };
}

/** Matched points as offsets from each image's centre in full-resolution pixels: [pu, pv, qu, qv]… */
export function centredPoints(images: readonly AdjustedImage[], pair: PairMatch, limit: number): Float64Array {
  const a = images[pair.i]!;
  const b = images[pair.j]!;
  const total = pair.pointsI.length / 2;
  const step = Math.max(1, total / limit);
  const out: number[] = [];
  for (let f = 0; f < total; f += step) {
    const k = Math.floor(f);
    out.push(
      (pair.pointsI[2 * k]! + 0.5) / a.workingScale - 0.5 - a.width / 2,
      (pair.pointsI[2 * k + 1]! + 0.5) / a.workingScale - 0.5 - a.height / 2,
      (pair.pointsJ[2 * k]! + 0.5) / b.workingScale - 0.5 - b.width / 2,
      (pair.pointsJ[2 * k + 1]! + 0.5) / b.workingScale - 0.5 - b.height / 2,
    );
  }
  return Float64Array.from(out);
}

export function residuals(placements: readonly Similarity[], pair: PairMatch, points: Float64Array): number[] {
  const out: number[] = [];
  for (let k = 0; k < points.length / 4; k++) {
    const [x0, y0] = apply(placements[pair.i]!, points[4 * k]!, points[4 * k + 1]!);
    const [x1, y1] = apply(placements[pair.j]!, points[4 * k + 2]!, points[4 * k + 3]!);
    out.push(Math.hypot(x0 - x1, y0 - y1));
  }
  return out;
}

export function solveSymmetric(normal: Float64Array, rhs: Float64Array, size: number): Float64Array {
  const rows: number[][] = [];
  for (let r = 0; r < size; r++) rows.push(Array.from(normal.subarray(r * size, (r + 1) * size)));
  const cholesky = new CholeskyDecomposition(new Matrix(rows));
  if (!cholesky.isPositiveDefinite())
    throw new AerialError(
      'Aerial.QualityRejected',
      "the photos' placement could not be solved: a photo is tied neither to GPS nor to another photo",
      'check the Footprints report for photos without GPS or matches',
    );
  return Float64Array.from(cholesky.solve(Matrix.columnVector(Array.from(rhs))).getColumn(0));
}

/**
 * Each image's rotation from the matches; undefined for images no match reaches. Relative
 * rotations come from a breadth-first walk, then a few rounds of averaging over all neighbours
 * spread any inconsistency; the offset to north is the circular median of recorded minus relative.
 */
export function synchronizeRotations(
  images: readonly AdjustedImage[],
  pairs: readonly PairMatch[],
): (number | undefined)[] {
  const n = images.length;
  // θ_i = θ_j + φ_ij, where φ_ij takes image i's pixels to image j's.
  const edges: { from: number; to: number; delta: number; weight: number }[][] = images.map(() => []);
  for (const p of pairs) {
    edges[p.j]!.push({ from: p.j, to: p.i, delta: p.rotationRad, weight: p.matches });
    edges[p.i]!.push({ from: p.i, to: p.j, delta: -p.rotationRad, weight: p.matches });
  }
  const rotation: (number | undefined)[] = new Array<number | undefined>(n).fill(undefined);
  const degree = edges.map((list) => list.reduce((s, e) => s + e.weight, 0));
  for (;;) {
    let root = -1;
    for (let k = 0; k < n; k++)
      if (rotation[k] === undefined && edges[k]!.length && (root < 0 || degree[k]! > degree[root]!)) root = k;
    if (root < 0) break;
    const component = [root];
    rotation[root] = 0;
    for (let q = 0; q < component.length; q++) {
      const from = component[q]!;
      const sorted = [...edges[from]!].sort((x, y) => y.weight - x.weight);
      for (const e of sorted) {
        if (rotation[e.to] !== undefined) continue;
        rotation[e.to] = rotation[from]! + e.delta;
        component.push(e.to);
      }
    }
    for (let round = 0; round < 10; round++) {
      for (const k of component) {
        let sx = 0;
        let sy = 0;
        for (const e of edges[k]!) {
          const estimate = rotation[e.to]! - e.delta;
          sx += e.weight * Math.cos(estimate);
          sy += e.weight * Math.sin(estimate);
        }
        rotation[k] = Math.atan2(sy, sx);
      }
    }
    const offsets = component.map((k) => wrapAngle(rotationOf(images[k]!.initial) - rotation[k]!));
    const offset = circularMedian(offsets);
    for (const k of component) rotation[k] = wrapAngle(rotation[k]! + offset);
  }
  return rotation;
}

/** The sample with the least total angular distance to the others: robust to a minority pointing elsewhere. */
export function circularMedian(angles: readonly number[]): number {
  let best = angles[0] ?? 0;
  let bestCost = Infinity;
  for (const candidate of angles) {
    const cost = angles.reduce((s, a) => s + Math.abs(wrapAngle(a - candidate)), 0);
    if (cost < bestCost) {
      bestCost = cost;
      best = candidate;
    }
  }
  return best;
}
