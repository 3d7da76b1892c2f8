import { type HeadingSource, type ImageRecord } from '@aerial/contracts';
import { median } from '../../geo/local-frame';
import { type PairMatch } from '../orthomosaic/feature-matching';
import { circularMedian } from '../orthomosaic/global-adjustment';
import { rotationOf, type Similarity, scaleOf, wrapAngle } from '../orthomosaic/similarity';
import { carryPlacement, fitToGps, gpsSpread, type PlaneSimilarity, relativeNetworks } from './free-network';
import { GPS_SIGMA_M, trackHeadings } from './gps-track';

const RAD = Math.PI / 180;
/** GPS positions must span this much for their baselines to give a network its scale (10 σ: ~1 % scale error per baseline pair). */
const MIN_SCALE_SPREAD_M = 10 * GPS_SIGMA_M;
/** A network whose measured ground resolution departs further than this from the larger ones' takes theirs. */
const MAX_GSD_DEPARTURE = 0.3;

export interface NetworkPlacementInput {
  readonly records: readonly Pick<ImageRecord, 'name' | 'captureTime'>[];
  /** GPS positions, east/north metres in the job frame. */
  readonly enu: readonly [number, number][];
  readonly images: readonly { width: number; height: number; workingScale: number }[];
  readonly pairs: readonly PairMatch[];
  /** Recorded yaw and metadata ground resolution, where the photo has them. */
  readonly headingDeg: readonly (number | undefined)[];
  readonly gsdPriorM: readonly (number | undefined)[];
  /** The similarity of a photo placed from a heading and a ground resolution, in `unitM` frame units. */
  readonly placeAt: (k: number, unitM: number, headingDeg: number, gsdM: number) => Similarity;
}

export interface NetworkPlacement {
  /** First placements in the frame (units `unitM`), undefined for photos nothing placed. */
  readonly initial: (Similarity | undefined)[];
  readonly unplaced: { index: number; reason: string }[];
  readonly unitM: number;
  /** GPS noise the fits show, metres (never below a drone receiver's). */
  readonly gpsSigmaM: number;
  readonly headingSources: HeadingSource[];
  readonly mountDeg?: number;
}

/**
 * First placements for photos without complete metadata: matched points tie overlapping photos
 * into networks, each fitted to its photos' GPS positions (scale, rotation, shift), largest first;
 * a network whose GPS spans too little to give a scale of its own (or gives one far from the
 * others') takes the scale of those fitted before it. Photos no network reaches take their
 * recorded yaw, else the GPS track turned by the camera's mounting as the networks show it.
 */
export function placeByNetworks(input: NetworkPlacementInput): NetworkPlacement {
  const { enu, pairs, gsdPriorM, placeAt } = input;
  const priorsHeading = input.headingDeg;
  const n = enu.length;
  const unplaced: NetworkPlacement['unplaced'] = [];
  // Raised to what the GPS fits show (phones: 5–10 m), never below a drone receiver's.
  let gpsSigmaM = GPS_SIGMA_M;
  const initial = new Array<Similarity | undefined>(n).fill(undefined);
  const fitted: { k: number; placement: Similarity; fit: PlaneSimilarity; gpsInlier: boolean }[] = [];
  const unfitted = new Map<number, string>();
  // Largest networks first: a network whose GPS spans too little to give a scale of its own (or
  // gives one far from the others') takes the scale of those fitted before it.
  let referenceGsd: number | undefined;
  for (const network of relativeNetworks(input.images, pairs)) {
    const points = network.placements.map((t): [number, number] => [t.tx, -t.ty]);
    const gps = network.members.map((k) => enu[k]!);
    const relativeScale = median(network.placements.map(scaleOf));
    let fit = network.members.length >= 3 ? fitToGps(points, gps, { minSpreadM: MIN_SCALE_SPREAD_M }) : undefined;
    const gsd = fit ? fit.transform.scale * relativeScale : undefined;
    if (referenceGsd !== undefined && (!fit || Math.abs(gsd! / referenceGsd - 1) > MAX_GSD_DEPARTURE)) {
      fit = fitToGps(points, gps, { scale: referenceGsd / relativeScale, minSpreadM: 3 * GPS_SIGMA_M });
    }
    if (!fit || fit.inliers.filter(Boolean).length < Math.min(2, network.members.length)) {
      const reason = `its ${network.members.length} matched photos span ${gpsSpread(gps).toFixed(0)} m of GPS positions, too little to measure their scale and heading`;
      for (const k of network.members) unfitted.set(k, reason);
      continue;
    }
    referenceGsd ??= fit.transform.scale * relativeScale;
    network.members.forEach((k, m) =>
      fitted.push({ k, placement: network.placements[m]!, fit: fit.transform, gpsInlier: fit.inliers[m]! }),
    );
    gpsSigmaM = Math.max(gpsSigmaM, fit.rmsM);
  }
  const measuredGsd = fitted.map((f) => f.fit.scale * scaleOf(f.placement));
  const unitM = measuredGsd.length
    ? median(measuredGsd)
    : median(gsdPriorM.filter((g): g is number => g !== undefined));
  for (const f of fitted) {
    const carried = carryPlacement(f.placement, f.fit, unitM);
    // The final adjustment holds a photo to its own GPS fix (the fit only seeds it), unless the
    // fit found that fix to be an outlier.
    initial[f.k] = f.gpsInlier ? { ...carried, tx: enu[f.k]![0] / unitM, ty: -enu[f.k]![1] / unitM } : carried;
  }

  // Photos no network reaches: recorded yaw, else the GPS track turned by the camera's mounting
  // as the registered photos show it; ground resolution from metadata, else the registered median.
  const track = trackHeadings(input.records, enu);
  const offsets = fitted.flatMap(({ k }) =>
    track[k] === undefined ? [] : [wrapAngle(rotationOf(initial[k]!) - track[k]! * RAD)],
  );
  const mountDeg = offsets.length ? (circularMedian(offsets) / RAD + 360) % 360 : undefined;
  const headingSources: HeadingSource[] = enu.map((_, k) =>
    initial[k] ? 'registration' : priorsHeading[k] !== undefined ? 'recorded-yaw' : 'gps-track',
  );
  enu.forEach((_, k) => {
    if (initial[k]) return;
    const heading = priorsHeading[k] ?? (track[k] !== undefined ? track[k]! + (mountDeg ?? 0) : undefined);
    const gsd = gsdPriorM[k] ?? (measuredGsd.length ? unitM : undefined);
    if (heading === undefined || gsd === undefined || !(unitM > 0)) {
      const why =
        unfitted.get(k) ??
        (gsd === undefined
          ? 'no overlapping photo matched it'
          : 'no overlapping photo matched it, and neither a recorded yaw nor the GPS track gives its heading');
      unplaced.push({
        index: k,
        reason:
          gsd === undefined
            ? `${why}, and its metadata gives no ground resolution (relative altitude or flight height, and camera)`
            : why,
      });
      return;
    }
    initial[k] = placeAt(k, unitM, heading, gsd);
  });
  return { initial, unplaced, unitM, gpsSigmaM, headingSources, ...(mountDeg !== undefined ? { mountDeg } : {}) };
}
