import { type QaReason } from '@aerial/contracts';
import { LocalFrame, median } from '../../geo/local-frame';
import { type ImageAnalysis } from './analyze-image';

/** Below this Laplacian variance (768 px rendition) a frame is blurred whatever its dataset. */
export const BLUR_ABSOLUTE_MIN = 15;
/** A frame this much softer than the dataset's median is blurred (motion, focus). */
export const BLUR_RELATIVE_MIN = 0.2;
/** A position further than this from the dataset's median, and {@link OUTLIER_SPREAD}× the typical distance, is an outlier. */
export const OUTLIER_MIN_DISTANCE_M = 1000;
export const OUTLIER_SPREAD = 10;

export interface QaCandidate {
  readonly name: string;
  readonly analysis: ImageAnalysis;
}

/**
 * Checks that need the whole dataset: duplicate content, positions far from the rest, and
 * sharpness relative to the other frames (absolute thresholds reject smooth but sharp scenes,
 * such as sand or water). Returns the extra reasons per candidate, by index.
 */
export function datasetQa(candidates: readonly QaCandidate[]): QaReason[][] {
  const extra: QaReason[][] = candidates.map(() => []);
  const alive = (i: number) => candidates[i]!.analysis.reasons.length === 0 && extra[i]!.length === 0;

  const firstByHash = new Map<string, string>();
  candidates.forEach((c, i) => {
    // Files refused unread share the placeholder hash: they were "duplicates" of each other.
    if (c.analysis.unread || c.analysis.reasons.some((r) => r.code === 'empty-file')) return;
    const first = firstByHash.get(c.analysis.sha256);
    if (first !== undefined) extra[i]!.push({ code: 'duplicate', message: `same content as ${first}` });
    else firstByHash.set(c.analysis.sha256, c.name);
  });

  const located = candidates.map((c, i) => ({ i, gps: c.analysis.gps })).filter((x) => x.gps && alive(x.i));
  if (located.length >= 3) {
    const frame = LocalFrame.around(located.map((x) => x.gps!));
    const distances = located.map((x) => Math.hypot(...frame.toLocal(x.gps!.latitude, x.gps!.longitude)));
    const limit = Math.max(OUTLIER_MIN_DISTANCE_M, OUTLIER_SPREAD * median(distances));
    located.forEach((x, k) => {
      const d = distances[k] as number;
      if (d > limit) {
        extra[x.i]!.push({
          code: 'outlier-position',
          message: `taken ${(d / 1000).toFixed(1)} km from the rest of the dataset (limit ${(limit / 1000).toFixed(1)} km)`,
        });
      }
    });
  }

  const sharpness = candidates
    .map((c, i) => ({ i, v: c.analysis.metrics?.laplacianVariance }))
    .filter((x) => x.v !== undefined && alive(x.i));
  const typical = sharpness.length >= 4 ? median(sharpness.map((x) => x.v as number)) : undefined;
  const threshold = Math.max(BLUR_ABSOLUTE_MIN, typical === undefined ? 0 : BLUR_RELATIVE_MIN * typical);
  for (const { i, v } of sharpness) {
    if ((v as number) < threshold) {
      extra[i]!.push({
        code: 'blurry',
        message:
          typical === undefined
            ? `the frame is blurred (sharpness ${(v as number).toFixed(0)}, minimum ${BLUR_ABSOLUTE_MIN})`
            : `the frame is blurred: sharpness ${(v as number).toFixed(0)} against a dataset median of ${typical.toFixed(0)}`,
      });
    }
  }
  return extra;
}
