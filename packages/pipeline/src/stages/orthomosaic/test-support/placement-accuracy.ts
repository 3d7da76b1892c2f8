import { type SurveyGroundTruth } from '@aerial/contracts';
import { metresPerDegree } from '@aerial/sample-data';
import { apply } from '../similarity';
import { type PlacementRow } from '../orthomosaic-stage';

type Photo = SurveyGroundTruth['photos'][number];

/** RMS distance, metres, between each placed image centre and the true camera position (nadir frames). */
export function absoluteErrorM(truth: SurveyGroundTruth, placements: readonly PlacementRow[]): number {
  const m = metresPerDegree(truth.origin.latitude);
  const errors = nadir(truth).flatMap((photo) => {
    const placed = placements.find((p) => p.image === photo.name);
    return placed
      ? [Math.hypot((placed.center[0] - photo.longitude) * m.lon, (placed.center[1] - photo.latitude) * m.lat)]
      : [];
  });
  return Math.sqrt(errors.reduce((s, e) => s + e * e, 0) / errors.length);
}

/**
 * RMS distance, in mosaic pixels, between where two overlapping placed images put the same ground
 * point (an 8 × 8 grid over each image, through the true poses): how well the mosaic's seams meet.
 */
export function relativeMisalignmentPx(
  truth: SurveyGroundTruth,
  placements: readonly PlacementRow[],
): { rms: number; count: number } {
  const m = metresPerDegree(truth.origin.latitude);
  const gsd = truth.gsdCm / 100;
  const groundOf = (photo: Photo, u: number, v: number): [number, number] => {
    const t = (photo.heading * Math.PI) / 180;
    const east = (u * Math.cos(t) - v * Math.sin(t)) * gsd;
    const north = (-u * Math.sin(t) - v * Math.cos(t)) * gsd;
    return [photo.longitude + east / m.lon, photo.latitude + north / m.lat];
  };
  const pixelOf = (photo: Photo, lon: number, lat: number): [number, number] => {
    const t = (photo.heading * Math.PI) / 180;
    const east = ((lon - photo.longitude) * m.lon) / gsd;
    const north = ((lat - photo.latitude) * m.lat) / gsd;
    return [east * Math.cos(t) - north * Math.sin(t), -east * Math.sin(t) - north * Math.cos(t)];
  };
  let sum = 0;
  let count = 0;
  const { widthPx: W, heightPx: H } = truth.camera;
  const photos = nadir(truth);
  for (const a of photos) {
    const pa = placements.find((p) => p.image === a.name);
    if (!pa) continue;
    for (const b of photos) {
      const pb = placements.find((p) => p.image === b.name);
      if (a === b || !pb) continue;
      for (let gy = 0; gy < 8; gy++) {
        for (let gx = 0; gx < 8; gx++) {
          const u = ((gx + 0.5) / 8 - 0.5) * W;
          const v = ((gy + 0.5) / 8 - 0.5) * H;
          const [lon, lat] = groundOf(a, u, v);
          const [ub, vb] = pixelOf(b, lon, lat);
          if (Math.abs(ub) > W / 2 || Math.abs(vb) > H / 2) continue;
          const [xa, ya] = apply(pa.similarity, u, v);
          const [xb, yb] = apply(pb.similarity, ub, vb);
          sum += (xa - xb) ** 2 + (ya - yb) ** 2;
          count++;
        }
      }
    }
  }
  return { rms: Math.sqrt(sum / count), count };
}

/** The truth's frames taken level (banked ones are the pipeline's to leave out). */
function nadir(truth: SurveyGroundTruth): Photo[] {
  return truth.photos.filter((p) => !p.rollDeg && !p.pitchDeg);
}
