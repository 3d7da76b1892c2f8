import { FootprintRecordSchema, type ImageRecord } from '@aerial/contracts';
import { z } from 'zod';
import { median } from '../../geo/local-frame';
import { type ObjectStore, optionalStageOutputs } from '@aerial/runtime';
import { round } from '../../numbers/round';

/**
 * The altitude each photo's camera is aligned to. GPS altitude drifts (by ~100 m over the Caliterra
 * flight, FINDINGS.md) and misaligns the model by tens of metres; where the Footprints stage knows
 * most photos' height above the ground, the reference is one ground altitude plus that height
 * (the ground: the median of GPS altitude minus height, so altitudes stay near the GPS datum); a
 * photo without a height takes the median one. With fewer than half the heights known, GPS altitude.
 */
export function referenceAltitudes(
  records: readonly ImageRecord[],
  heights: ReadonlyMap<string, number>,
): (record: ImageRecord) => number {
  const known = records.filter((r) => heights.has(r.name));
  // Photos Footprints left out (banked, unplaced) fly about as high as the others: the median.
  if (known.length > 0 && known.length * 2 >= records.length) {
    const offsets = known.map((r) => (r.gps?.altitude ?? 0) - heights.get(r.name)!);
    const ground = median(offsets);
    const typical = median(known.map((r) => heights.get(r.name)!));
    return (r) => round(ground + (heights.get(r.name) ?? typical), 3);
  }
  return (r) => r.gps?.altitude ?? r.relativeAltitude ?? 0;
}

/** Each photo's height above ground as Footprints found it, when that stage ran. */
export async function readFootprintHeights(store: ObjectStore, jobId: string): Promise<Map<string, number>> {
  const footprints = await optionalStageOutputs(store, jobId, 'Footprints');
  if (!footprints) return new Map();
  const rows = await footprints.json('footprints', z.array(FootprintRecordSchema));
  return new Map(rows.flatMap((r) => (r.heightAboveGroundM !== undefined ? [[r.image, r.heightAboveGroundM]] : [])));
}
