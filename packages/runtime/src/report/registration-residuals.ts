import { type ImageRegistration } from '@aerial/contracts';
import { round } from './coverage-grid';

export interface PhotoResidual {
  readonly image: string;
  readonly registered: boolean;
  /** Pairs of matched points the photo takes part in. */
  readonly pairs: number;
  /** RMS distance between its matched points and its neighbours' once both are placed; null without matches. */
  readonly residualPx: number | null;
  readonly yawDisagreementDeg?: number;
}

/**
 * Each placed photo's registration residual: its matched points and its neighbours', carried
 * through both placements into the registration frame (units ≈ ground pixels), RMS over every
 * point of every pair it is in. The same measure as the adjustment's overall residual, per photo.
 */
export function photoResiduals(registration: ImageRegistration): PhotoResidual[] {
  const sums = registration.images.map(() => ({ sum: 0, count: 0, pairs: 0 }));
  for (const pair of registration.pairs) {
    const a = registration.images[pair.i];
    const b = registration.images[pair.j];
    if (!a || !b) continue;
    sums[pair.i]!.pairs++;
    sums[pair.j]!.pairs++;
    for (let k = 0; k + 1 < pair.pointsI.length && k + 1 < pair.pointsJ.length; k += 2) {
      const [x0, y0] = place(a, pair.pointsI[k]!, pair.pointsI[k + 1]!);
      const [x1, y1] = place(b, pair.pointsJ[k]!, pair.pointsJ[k + 1]!);
      const squared = (x0 - x1) ** 2 + (y0 - y1) ** 2;
      for (const m of [pair.i, pair.j]) {
        sums[m]!.sum += squared;
        sums[m]!.count++;
      }
    }
  }
  return registration.images.map((image, m) => {
    const { sum, count, pairs } = sums[m]!;
    return {
      image: image.image,
      registered: image.registered,
      pairs,
      residualPx: count ? round(Math.sqrt(sum / count), 3) : null,
      ...(image.yawDisagreementDeg !== undefined ? { yawDisagreementDeg: image.yawDisagreementDeg } : {}),
    };
  });
}

/** The RMS residual over every matched point of every pair (each point once). */
export function overallResidualPx(registration: ImageRegistration): number | null {
  let sum = 0;
  let count = 0;
  for (const pair of registration.pairs) {
    const a = registration.images[pair.i];
    const b = registration.images[pair.j];
    if (!a || !b) continue;
    for (let k = 0; k + 1 < pair.pointsI.length && k + 1 < pair.pointsJ.length; k += 2) {
      const [x0, y0] = place(a, pair.pointsI[k]!, pair.pointsI[k + 1]!);
      const [x1, y1] = place(b, pair.pointsJ[k]!, pair.pointsJ[k + 1]!);
      sum += (x0 - x1) ** 2 + (y0 - y1) ** 2;
      count++;
    }
  }
  return count ? Math.sqrt(sum / count) : null;
}

/** A full-resolution pixel of the image into the frame: offsets from its centre through its similarity. */
function place(image: ImageRegistration['images'][number], x: number, y: number): [number, number] {
  const u = x - image.width / 2;
  const v = y - image.height / 2;
  const { a, b, tx, ty } = image.placement;
  return [a * u - b * v + tx, b * u + a * v + ty];
}
