import { type ImageRegistration } from '@aerial/contracts';
import { round } from '../../numbers/round';
import { type PlacedFootprint } from './footprint-rows';
import { type PhotoPlacement, type PhotoToPlace } from './place-images';

/** What the Orthomosaic renders from: the frame, each placed photo's placement and gain, the matches. */
export function registrationOf(
  placement: PhotoPlacement,
  photos: readonly PhotoToPlace[],
  placed: readonly PlacedFootprint[],
): ImageRegistration {
  const { frame, unitM } = placement;
  return {
    origin: { latitude: frame.originLat, longitude: frame.originLon },
    unitM,
    images: placed.map(({ photo, placed: p }) => ({
      image: photo.record.name,
      width: photo.width,
      height: photo.height,
      placement: p.placement,
      registered: p.registered,
      gain: round(p.gain, 5),
      ...(p.yawDisagreementDeg !== undefined ? { yawDisagreementDeg: round(p.yawDisagreementDeg, 3) } : {}),
    })),
    pairs: pairRecords(
      placement,
      photos,
      placed.map(({ photo }) => photo),
    ),
    candidatePairs: placement.candidatePairs,
    rmsResidualPx: round(placement.rmsResidualPx, 4),
  };
}

/**
 * Matches between placed photos for the Orthomosaic's adjustment, a few dozen points each (what
 * the adjustment uses), in full-resolution pixels, indexed by the placed photos' order.
 */
function pairRecords(
  placement: PhotoPlacement,
  photos: readonly PhotoToPlace[],
  placedPhotos: readonly PhotoToPlace[],
): ImageRegistration['pairs'] {
  const index = new Map(placedPhotos.map((p, m) => [p, m]));
  return placement.pairs.flatMap((pair) => {
    const i = index.get(photos[pair.i]!);
    const j = index.get(photos[pair.j]!);
    if (i === undefined || j === undefined) return [];
    const si = placement.workingScales[pair.i]!;
    const sj = placement.workingScales[pair.j]!;
    const total = pair.pointsI.length / 2;
    const step = Math.max(1, total / PAIR_POINTS);
    const pointsI: number[] = [];
    const pointsJ: number[] = [];
    for (let f = 0; f < total; f += step) {
      const k = Math.floor(f);
      pointsI.push(
        round((pair.pointsI[2 * k]! + 0.5) / si - 0.5, 2),
        round((pair.pointsI[2 * k + 1]! + 0.5) / si - 0.5, 2),
      );
      pointsJ.push(
        round((pair.pointsJ[2 * k]! + 0.5) / sj - 0.5, 2),
        round((pair.pointsJ[2 * k + 1]! + 0.5) / sj - 0.5, 2),
      );
    }
    return [{ i, j, matches: pair.matches, rotationRad: round(pair.rotationRad, 6), pointsI, pointsJ }];
  });
}

/** Matched points kept per pair: the adjustment uses 60, evenly spread. */
const PAIR_POINTS = 60;
