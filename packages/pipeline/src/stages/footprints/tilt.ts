import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { type PairMatch } from '../orthomosaic/feature-matching';
import { apply, type Similarity } from '../orthomosaic/similarity';

/** A photo's perspective as its neighbours see it. */
export interface PerspectiveEstimate {
  /**
   * How much the ground scale changes from the image centre to a corner, as a fraction: 0 for a
   * nadir frame over flat ground. A camera tilted by t with focal length f (pixels) and half
   * diagonal r gives tan t · r / f.
   */
  readonly perspective: number;
  /** The tilt from nadir, degrees, where the focal length is known. */
  readonly tiltDeg?: number;
  /** Correspondences the estimate rests on. */
  readonly points: number;
}

export interface TiltInput {
  readonly width: number;
  readonly height: number;
  readonly workingScale: number;
  readonly placement: Similarity;
  /** Focal length in pixels, where the camera model gives it. */
  readonly focalPx?: number;
}

/**
 * Each photo's tilt from nadir, measured against its neighbours: its matched points, placed where
 * the neighbours' (similarity) placements put them, are fitted by a homography from the photo's
 * pixels to the ground. A nadir frame over flat ground needs none (the fit's projective row is
 * zero); a frame banked on a turn does, and tan(tilt) = f·|h₃| with h₃ the projective row in
 * pixels. Undefined where the points are too few or too bunched to tell.
 */
export function estimatePerspective(
  images: readonly TiltInput[],
  pairs: readonly PairMatch[],
): (PerspectiveEstimate | undefined)[] {
  return images.map((image, k) => {
    const halfDiagonal = Math.hypot(image.width, image.height) / 2;
    const source: number[] = [];
    const target: number[] = [];
    for (const pair of pairs) {
      if (pair.i !== k && pair.j !== k) continue;
      const self = pair.i === k ? pair.pointsI : pair.pointsJ;
      const other = pair.i === k ? pair.pointsJ : pair.pointsI;
      const otherImage = images[pair.i === k ? pair.j : pair.i]!;
      for (let p = 0; p < self.length / 2; p++) {
        source.push(
          ((self[2 * p]! + 0.5) / image.workingScale - 0.5 - image.width / 2) / halfDiagonal,
          ((self[2 * p + 1]! + 0.5) / image.workingScale - 0.5 - image.height / 2) / halfDiagonal,
        );
        const [x, y] = apply(
          otherImage.placement,
          (other[2 * p]! + 0.5) / otherImage.workingScale - 0.5 - otherImage.width / 2,
          (other[2 * p + 1]! + 0.5) / otherImage.workingScale - 0.5 - otherImage.height / 2,
        );
        target.push(x, y);
      }
    }
    const n = source.length / 2;
    if (n < 24 || !spreadsOver(source)) return undefined;
    const h = fitHomography(source, target);
    if (!h) return undefined;
    const perspective = Math.hypot(h[6]!, h[7]!);
    const tiltDeg =
      image.focalPx !== undefined
        ? (Math.atan((perspective * image.focalPx) / halfDiagonal) * 180) / Math.PI
        : undefined;
    return { perspective, ...(tiltDeg !== undefined ? { tiltDeg } : {}), points: n };
  });
}

/**
 * Points (normalized to the half diagonal) spread over at least a quarter of the frame each way:
 * a banked frame's matches may all lie on one side, which still shows its perspective.
 */
function spreadsOver(points: readonly number[]): boolean {
  let minU = Infinity;
  let maxU = -Infinity;
  let minV = Infinity;
  let maxV = -Infinity;
  for (let k = 0; k < points.length; k += 2) {
    minU = Math.min(minU, points[k]!);
    maxU = Math.max(maxU, points[k]!);
    minV = Math.min(minV, points[k + 1]!);
    maxV = Math.max(maxV, points[k + 1]!);
  }
  return maxU - minU > 0.4 && maxV - minV > 0.3;
}

/**
 * Homography [h0 h1 h2; h3 h4 h5; h6 h7 1] by the normalized direct linear transform with a few
 * rounds of Huber re-weighting against parallax and stray matches (ml-matrix solves the 9 × 9
 * eigenproblem); the target side is centred and scaled here so that the equations are balanced
 * (Hartley, 1997).
 */
function fitHomography(source: readonly number[], target: readonly number[]): number[] | undefined {
  const n = source.length / 2;
  let cx = 0;
  let cy = 0;
  for (let k = 0; k < n; k++) {
    cx += target[2 * k]!;
    cy += target[2 * k + 1]!;
  }
  cx /= n;
  cy /= n;
  let spread = 0;
  for (let k = 0; k < n; k++) spread += Math.hypot(target[2 * k]! - cx, target[2 * k + 1]! - cy);
  const s = spread / n || 1;
  const tx = (k: number) => (target[2 * k]! - cx) / s;
  const ty = (k: number) => (target[2 * k + 1]! - cy) / s;

  let weights = new Array<number>(n).fill(1);
  let h: number[] | undefined;
  for (let round = 0; round < 4; round++) {
    // The DLT's least-squares solution is the eigenvector of AᵀA with the smallest eigenvalue:
    // AᵀA is 9 × 9 whatever the number of points (an SVD of A itself cost ~30 ms per photo).
    const normal = new Float64Array(81);
    const accumulate = (row: readonly number[], w2: number) => {
      for (let a = 0; a < 9; a++) {
        const ra = row[a]! * w2;
        if (ra === 0) continue;
        for (let b = a; b < 9; b++) normal[a * 9 + b]! += ra * row[b]!;
      }
    };
    for (let k = 0; k < n; k++) {
      const w2 = weights[k]! ** 2;
      const u = source[2 * k]!;
      const v = source[2 * k + 1]!;
      const x = tx(k);
      const y = ty(k);
      accumulate([u, v, 1, 0, 0, 0, -x * u, -x * v, -x], w2);
      accumulate([0, 0, 0, u, v, 1, -y * u, -y * v, -y], w2);
    }
    for (let a = 0; a < 9; a++) for (let b = 0; b < a; b++) normal[a * 9 + b] = normal[b * 9 + a]!;
    const eigen = new EigenvalueDecomposition(Matrix.from1DArray(9, 9, normal), { assumeSymmetric: true });
    const values = eigen.realEigenvalues;
    const smallest = values.indexOf(Math.min(...values));
    const last = eigen.eigenvectorMatrix.getColumn(smallest);
    if (Math.abs(last[8]!) < 1e-12) return undefined;
    h = last.map((c) => c / last[8]!);
    const residuals = Array.from({ length: n }, (_, k) => {
      const u = source[2 * k]!;
      const v = source[2 * k + 1]!;
      const d = h![6]! * u + h![7]! * v + 1;
      return Math.hypot((h![0]! * u + h![1]! * v + h![2]!) / d - tx(k), (h![3]! * u + h![4]! * v + h![5]!) / d - ty(k));
    });
    const sorted = [...residuals].sort((a, b) => a - b);
    const huber = Math.max(1e-6, 1.5 * sorted[Math.floor(n / 2)]!);
    weights = residuals.map((r) => (r <= huber ? 1 : Math.sqrt(huber / r)));
  }
  // Centring and scaling the target leave the projective row as it is: h6, h7 are in the source's
  // (half-diagonal) units.
  return h;
}
