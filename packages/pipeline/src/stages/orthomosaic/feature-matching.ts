import { HammingKnn } from './hamming-knn';
import { cvError, type CvMat, type OpenCv } from './opencv';

/** A greyscale picture of an image at working resolution, for registration. */
export interface WorkingImage {
  readonly grey: Uint8Array;
  readonly width: number;
  readonly height: number;
  /** Working pixels per full-resolution pixel. */
  readonly scale: number;
}

/**
 * AKAZE keypoints (working pixels) with their binary descriptors, as plain arrays so that they can
 * move between threads (see feature-workers.ts).
 */
export interface ImageFeatures {
  readonly points: Float32Array;
  /** `count` rows of `descriptorBytes` bytes. */
  readonly descriptors: Uint8Array;
  readonly descriptorBytes: number;
  readonly count: number;
}

/** Two images seen to overlap: matched points in each (working pixels) and their relation. */
export interface PairMatch {
  readonly i: number;
  readonly j: number;
  /** Inlier points, [x0, y0, x1, y1, …], in image i and in image j. */
  readonly pointsI: Float32Array;
  readonly pointsJ: Float32Array;
  /** Rotation and scale that take image i's pixels to image j's. */
  readonly rotationRad: number;
  readonly scale: number;
  readonly matches: number;
}

/**
 * AKAZE features of one image, the strongest `maxKeypoints` kept: the matcher is brute force, so
 * its cost grows with the product of the two images' counts.
 */
export function detectFeatures(cv: OpenCv, image: WorkingImage, maxKeypoints: number): ImageFeatures {
  const mat = cv.matFromArray(image.height, image.width, cv.CV_8UC1, image.grey);
  const mask = new cv.Mat();
  const keypoints = new cv.KeyPointVector();
  const all = new cv.Mat();
  const akaze = new cv.AKAZE();
  try {
    akaze.detectAndCompute(mat, mask, keypoints, all);
    const n = keypoints.size();
    const order = Array.from({ length: n }, (_, k) => k);
    const response = order.map((k) => keypoints.get(k).response);
    order.sort((a, b) => (response[b] as number) - (response[a] as number));
    const keep = order.slice(0, Math.min(n, maxKeypoints));
    const width = all.cols;
    const bytes = new Uint8Array(keep.length * width);
    const points = new Float32Array(keep.length * 2);
    keep.forEach((k, row) => {
      bytes.set(all.data.subarray(k * width, (k + 1) * width), row * width);
      const { pt } = keypoints.get(k);
      points[row * 2] = pt.x;
      points[row * 2 + 1] = pt.y;
    });
    return { points, descriptors: bytes, descriptorBytes: width, count: keep.length };
  } catch (e) {
    throw cvError(cv, e);
  } finally {
    for (const m of [mat, mask, keypoints, all, akaze]) m.delete();
  }
}

export interface MatchOptions {
  /** Lowe's ratio test. @default 0.8 */
  readonly ratio?: number;
  /** RANSAC inlier threshold, working pixels. @default 3 */
  readonly thresholdPx?: number;
  /** Fewer inliers than this and the pair is not trusted. @default 15 */
  readonly minInliers?: number;
}

/**
 * Matches two images' features (ratio test) and keeps those consistent with one affine map
 * (RANSAC). Descriptors are rotation invariant, so an image whose recorded yaw is wrong, even
 * by 180°, still matches its neighbours. Undefined when the images do not share enough.
 */
export function matchPair(
  cv: OpenCv,
  i: number,
  j: number,
  a: ImageFeatures,
  b: ImageFeatures,
  options: MatchOptions = {},
): PairMatch | undefined {
  const ratio = options.ratio ?? 0.8;
  const minInliers = options.minInliers ?? 15;
  if (a.count < minInliers || b.count < minInliers) return undefined;
  const mats: CvMat[] = [];
  try {
    // Nearest two in b for each of a's descriptors, then Lowe's ratio test.
    const nearest = hamming().search(a.descriptors, a.count, b.descriptors, b.count, a.descriptorBytes);
    const from: number[] = [];
    const to: number[] = [];
    if (b.count >= 2) {
      for (let k = 0; k < a.count; k++) {
        if (nearest.best[k]! < ratio * nearest.second[k]!) {
          const t = nearest.index[k]!;
          from.push(a.points[k * 2]!, a.points[k * 2 + 1]!);
          to.push(b.points[t * 2]!, b.points[t * 2 + 1]!);
        }
      }
    }
    const n = from.length / 2;
    if (n < minInliers) return undefined;
    const fromMat = cv.matFromArray(n, 1, cv.CV_32FC2, from);
    const toMat = cv.matFromArray(n, 1, cv.CV_32FC2, to);
    const inliers = new cv.Mat();
    mats.push(fromMat, toMat, inliers);
    const affine = cv.estimateAffine2D(fromMat, toMat, inliers, cv.RANSAC, options.thresholdPx ?? 3, 2000, 0.995, 10);
    mats.push(affine);
    let relation = affine.rows === 2 ? relationOf(affine.data64F as unknown as number[]) : undefined;
    let mask: Uint8Array = inliers.data;
    if (!relation) {
      // A frame banked on a turn sees its neighbour through a perspective no affine map fits:
      // RANSAC on a homography keeps its matches (and registration then measures the tilt).
      const homographyInliers = new cv.Mat();
      const homography = cv.findHomography(fromMat, toMat, cv.RANSAC, options.thresholdPx ?? 3, homographyInliers);
      mats.push(homographyInliers, homography);
      if (homography.rows === 3) {
        relation = relationAt(homography.data64F as unknown as number[], centroid(from, homographyInliers.data));
        mask = homographyInliers.data;
      }
    }
    if (!relation) return undefined;
    const keepI: number[] = [];
    const keepJ: number[] = [];
    for (let k = 0; k < n; k++) {
      if (mask[k]) {
        keepI.push(from[k * 2]!, from[k * 2 + 1]!);
        keepJ.push(to[k * 2]!, to[k * 2 + 1]!);
      }
    }
    if (keepI.length / 2 < minInliers) return undefined;
    return {
      i,
      j,
      pointsI: Float32Array.from(keepI),
      pointsJ: Float32Array.from(keepJ),
      rotationRad: relation.rotationRad,
      scale: relation.scale,
      matches: keepI.length / 2,
    };
  } catch (e) {
    throw cvError(cv, e);
  } finally {
    for (const m of mats) m.delete();
  }
}

/**
 * Rotation and scale of a 2 × 2 linear map [m00 m01; m10 m11], or undefined where it is not what
 * overlapping nadir frames of one camera at one height can show: close to a rotation.
 */
function relationFromLinear(
  m00: number,
  m01: number,
  m10: number,
  m11: number,
): { rotationRad: number; scale: number } | undefined {
  const sx = Math.hypot(m00, m10);
  const sy = Math.hypot(m01, m11);
  const det = m00 * m11 - m01 * m10;
  if (det <= 0 || sx / sy > 1.25 || sy / sx > 1.25 || sx < 0.7 || sx > 1.4) return undefined;
  return { rotationRad: Math.atan2(m10 - m01, m00 + m11), scale: Math.sqrt(Math.abs(det)) };
}

/** The relation of an affine map (row-major 2 × 3). */
function relationOf(m: readonly number[]): { rotationRad: number; scale: number } | undefined {
  return relationFromLinear(m[0]!, m[1]!, m[3]!, m[4]!);
}

/** The relation of a homography (row-major 3 × 3) near point p: its Jacobian there. */
function relationAt(
  h: readonly number[],
  [x, y]: [number, number],
): { rotationRad: number; scale: number } | undefined {
  const w = h[6]! * x + h[7]! * y + h[8]!;
  if (!(Math.abs(w) > 1e-12)) return undefined;
  const u = (h[0]! * x + h[1]! * y + h[2]!) / w;
  const v = (h[3]! * x + h[4]! * y + h[5]!) / w;
  return relationFromLinear(
    (h[0]! - u * h[6]!) / w,
    (h[1]! - u * h[7]!) / w,
    (h[3]! - v * h[6]!) / w,
    (h[4]! - v * h[7]!) / w,
  );
}

/** Mean of the points [x0, y0, …] whose mask entry is set. */
function centroid(points: readonly number[], mask: Uint8Array): [number, number] {
  let sx = 0;
  let sy = 0;
  let n = 0;
  for (let k = 0; k < points.length / 2; k++) {
    if (!mask[k]) continue;
    sx += points[2 * k]!;
    sy += points[2 * k + 1]!;
    n++;
  }
  return n ? [sx / n, sy / n] : [0, 0];
}

let matcher: HammingKnn | undefined;
/** One matcher per thread: its WebAssembly memory is reused from pair to pair. */
function hamming(): HammingKnn {
  matcher ??= new HammingKnn();
  return matcher;
}
