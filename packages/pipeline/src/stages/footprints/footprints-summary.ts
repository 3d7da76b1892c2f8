import {
  type FootprintRecord,
  type FootprintSkip,
  type FootprintsSummary,
  FootprintsSummarySchema,
} from '@aerial/contracts';
import { median } from '../../geo/local-frame';
import { round } from '../../numbers/round';
import { type PhotoPlacement } from './place-images';

/** The stage's summary: how the photos were placed and the spread of their figures. */
export function footprintsSummary(
  rows: readonly FootprintRecord[],
  placement: PhotoPlacement,
  skipped: readonly FootprintSkip[],
): FootprintsSummary {
  const values = (pick: (r: FootprintRecord) => number | undefined) =>
    rows.map(pick).filter((v): v is number => v !== undefined);
  const lons = rows.flatMap((r) => r.footprint.coordinates[0]!.map((c) => c[0]));
  const lats = rows.flatMap((r) => r.footprint.coordinates[0]!.map((c) => c[1]));
  return FootprintsSummarySchema.parse({
    images: rows.length,
    registered: rows.filter((r) => r.registered).length,
    placedFrom: placement.method,
    pairs: placement.pairs.length,
    candidatePairs: placement.candidatePairs,
    rmsResidualPx: round(placement.rmsResidualPx, 3),
    ...(placement.mountDeg !== undefined ? { cameraMountDeg: round(placement.mountDeg, 1) } : {}),
    skipped: [...skipped],
    gsdCm: {
      median: round(median(values((r) => r.gsdCm)), 3),
      min: round(Math.min(...values((r) => r.gsdCm)), 3),
      max: round(Math.max(...values((r) => r.gsdCm)), 3),
    },
    heightAboveGroundM: summarize(values((r) => r.heightAboveGroundM)),
    heightSources: countBy(rows.map((r) => r.heightSource)),
    forwardOverlap: summarize(values((r) => r.forwardOverlap)),
    sideOverlap: summarize(values((r) => r.sideOverlap)),
    bbox: [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)].map((v) => round(v, 7)),
  } satisfies FootprintsSummary);
}

function countBy(values: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

function summarize(values: number[]): { median: number; min: number; max: number } | null {
  if (values.length === 0) return null;
  return { median: round(median(values), 4), min: round(Math.min(...values), 4), max: round(Math.max(...values), 4) };
}
