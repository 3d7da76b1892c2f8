import sharp from 'sharp';
import { exposureGains } from './exposure';
import { type ImageFeatures, type PairMatch, type WorkingImage } from './feature-matching';
import { forEachLimited } from '../../concurrency/for-each-limited';
import { featureBackend } from './feature-workers';
import { imageBounds } from './mosaic-renderer';
import { invert, type Similarity } from './similarity';

export interface RegistrationInput {
  readonly width: number;
  readonly height: number;
  /** The encoded image (JPEG/TIFF). */
  readonly read: () => Promise<Buffer>;
}

export interface MatchingOptions {
  /** Longest side of the working images, pixels. @default 800 */
  readonly workingSize?: number;
  /** @default 1000 */
  readonly maxKeypoints?: number;
  readonly onProgress?: (fraction: number, message: string) => void;
  readonly signal?: AbortSignal;
}

export interface MatchingResult {
  /** Pairs that matched, in candidate order (whatever order the threads finished in). */
  readonly pairs: PairMatch[];
  /** Working pixels per full-resolution pixel, per image. */
  readonly workingScales: number[];
  /** Exposure gains from the same matches. */
  readonly gains: number[];
  readonly keypoints: number[];
}

/**
 * AKAZE features at working resolution, matched between the candidate pairs only (never all
 * pairs), with exposure gains from the same matches. Placing the images from the matches is the
 * caller's (see global-adjustment.ts and footprints/free-network.ts).
 */
export async function matchImages(
  inputs: readonly RegistrationInput[],
  candidates: readonly (readonly [number, number])[],
  options: MatchingOptions = {},
): Promise<MatchingResult> {
  const backend = await featureBackend();
  const size = options.workingSize ?? 800;
  const maxKeypoints = options.maxKeypoints ?? 1000;
  const n = inputs.length;
  // Working images are small (800 px: ~0.4 MB each); decoding runs on libuv's threads, a couple
  // ahead of detection, and detection on as many threads as the backend has.
  const working: WorkingImage[] = new Array<WorkingImage>(n);
  const features: ImageFeatures[] = new Array<ImageFeatures>(n);
  let detected = 0;
  await forEachLimited(n, backend.threads + 1, async (k) => {
    options.signal?.throwIfAborted();
    const image = await workingImage(inputs[k]!, size);
    working[k] = image;
    features[k] = await backend.detect(image, maxKeypoints);
    options.onProgress?.((++detected / n) * 0.5, `features ${detected}/${n}`);
  });
  const matched: (PairMatch | undefined)[] = new Array<PairMatch | undefined>(candidates.length);
  let tried = 0;
  await forEachLimited(candidates.length, backend.threads, async (k) => {
    options.signal?.throwIfAborted();
    const [i, j] = candidates[k]!;
    matched[k] = await backend.match(i, j, features[i]!, features[j]!);
    options.onProgress?.(
      0.5 + (++tried / Math.max(1, candidates.length)) * 0.5,
      `matched ${tried}/${candidates.length} pairs`,
    );
  });
  const pairs = matched.filter((m): m is PairMatch => m !== undefined);
  return {
    pairs,
    workingScales: working.map((w) => w.scale),
    gains: exposureGains(working, pairs),
    keypoints: features.map((f) => f.count),
  };
}

/** The image at working size, greyscale. */
async function workingImage(input: RegistrationInput, size: number): Promise<WorkingImage> {
  const scale = Math.min(1, size / Math.max(input.width, input.height));
  const w = Math.max(1, Math.round(input.width * scale));
  const h = Math.max(1, Math.round(input.height * scale));
  const { data } = await sharp(await input.read())
    .resize(w, h, { fit: 'fill' })
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { grey: new Uint8Array(data.buffer, data.byteOffset, w * h), width: w, height: h, scale: w / input.width };
}

/** An image with a first placement from its metadata. */
export interface PlacedInput {
  readonly width: number;
  readonly height: number;
  readonly initial: Similarity;
}

/**
 * Pairs whose first placements overlap, each image's `neighbours` best. Overlap is measured on a
 * grid of points of one footprint falling inside the other, which ignores rotation by 180° (a
 * rectangle turned half-way covers the same ground), so a wrong recorded yaw does not hide pairs.
 */
export function candidatePairs(
  inputs: readonly PlacedInput[],
  neighbours: number,
  minOverlap: number,
): [number, number][] {
  const boxes = inputs.map((input) =>
    imageBounds({ width: input.width, height: input.height, placement: input.initial, gain: 1 }),
  );
  const scored: { i: number; j: number; overlap: number }[] = [];
  for (let i = 0; i < inputs.length; i++) {
    for (let j = i + 1; j < inputs.length; j++) {
      const a = boxes[i]!;
      const b = boxes[j]!;
      if (a.x1 < b.x0 || b.x1 < a.x0 || a.y1 < b.y0 || b.y1 < a.y0) continue;
      const overlap = Math.max(sharedFraction(inputs[i]!, inputs[j]!), sharedFraction(inputs[j]!, inputs[i]!));
      if (overlap >= minOverlap) scored.push({ i, j, overlap });
    }
  }
  scored.sort((x, y) => y.overlap - x.overlap);
  const taken = new Array<number>(inputs.length).fill(0);
  const out: [number, number][] = [];
  for (const { i, j } of scored) {
    if (taken[i]! >= neighbours && taken[j]! >= neighbours) continue;
    taken[i]!++;
    taken[j]!++;
    out.push([i, j]);
  }
  return out;
}

/** Fraction of a 10×10 grid over image a's footprint that lies inside image b's. */
function sharedFraction(a: PlacedInput, b: PlacedInput): number {
  let inside = 0;
  for (let gy = 0; gy < 10; gy++) {
    for (let gx = 0; gx < 10; gx++) {
      const u = ((gx + 0.5) / 10 - 0.5) * a.width;
      const v = ((gy + 0.5) / 10 - 0.5) * a.height;
      const x = a.initial.a * u - a.initial.b * v + a.initial.tx;
      const y = a.initial.b * u + a.initial.a * v + a.initial.ty;
      const [ub, vb] = invert(b.initial, x, y);
      if (Math.abs(ub) <= b.width / 2 && Math.abs(vb) <= b.height / 2) inside++;
    }
  }
  return inside / 100;
}
