import { type HeadingSource, type HeightSource, type ImageRecord } from '@aerial/contracts';
import { LocalFrame, median } from '../../geo/local-frame';
import { type PairMatch } from '../orthomosaic/feature-matching';
import { adjust } from '../orthomosaic/global-adjustment';
import { candidatePairs, matchImages } from '../orthomosaic/register-images';
import { rotationOf, type Similarity, scaleOf, wrapAngle } from '../orthomosaic/similarity';
import { cameraIntrinsics } from './camera-intrinsics';
import { GPS_SIGMA_M, gpsNeighbourPairs } from './gps-track';
import { placeByNetworks } from './network-placement';
import { estimatePerspective, type PerspectiveEstimate } from './tilt';

const RAD = Math.PI / 180;

/** An accepted photo with a GPS position and a stored original. */
export interface PhotoToPlace {
  readonly record: ImageRecord & { gps: NonNullable<ImageRecord['gps']> };
  readonly width: number;
  readonly height: number;
  readonly read: () => Promise<Buffer>;
}

export interface PlacementOptions {
  /** The flight height above ground the user gave, metres. */
  readonly flightHeightM?: number;
  readonly onProgress?: (fraction: number, message: string) => void;
  readonly signal?: AbortSignal;
}

/** One photo as placed: its similarity in the job frame and what each figure rests on. */
export interface PlacedPhoto {
  readonly placement: Similarity;
  readonly registered: boolean;
  /** Ground size of one pixel at the image centre, metres. */
  readonly gsdM: number;
  /** Azimuth of the image's top edge, degrees clockwise from north, in [0, 360). */
  readonly headingDeg: number;
  readonly headingSource: HeadingSource;
  readonly heightM?: number;
  readonly heightSource: HeightSource;
  /** Recorded yaw minus the registered heading, degrees. */
  readonly yawDisagreementDeg?: number;
  readonly gain: number;
  /** Tilt from nadir measured against the neighbours, degrees (where the focal length is known). */
  readonly tiltDeg?: number;
}

export interface PhotoPlacement {
  readonly frame: LocalFrame;
  /** Metres per frame unit (the frame is east/north with y pointing south). */
  readonly unitM: number;
  /** Per photo, in input order; undefined where nothing could place it (see `unplaced`). */
  readonly photos: (PlacedPhoto | undefined)[];
  readonly unplaced: { index: number; reason: string; code: 'tilted' | 'not-placed' }[];
  readonly pairs: PairMatch[];
  readonly workingScales: number[];
  readonly candidatePairs: number;
  readonly rmsResidualPx: number;
  /** How the placements were found: from complete metadata refined by the pixels, or from the pixels and GPS. */
  readonly method: 'metadata' | 'photos';
  /** Heading of the camera relative to the direction of travel learned from registered photos, degrees. */
  readonly mountDeg?: number;
}

interface Priors {
  readonly headingDeg?: number;
  readonly height?: { metres: number; source: HeightSource };
  /** Focal length in pixels (across the image width). */
  readonly focalPx?: number;
}

/**
 * Places every photo on the ground. When every photo's metadata gives heading, height and camera
 * (DJI's XMP), those place it and registration refines the placement. Otherwise the photos place
 * themselves: matched points tie overlapping photos into networks, and each network is fitted to
 * its photos' GPS positions (scale, rotation, shift) — GPS baselines turn matched pixels into
 * metres, so the ground resolution, heading and height come from the photos, whatever the GPS
 * altitude or the camera's mounting says. Both end in the same adjustment against GPS.
 */
export async function placePhotos(photos: readonly PhotoToPlace[], options: PlacementOptions): Promise<PhotoPlacement> {
  const n = photos.length;
  const frame = LocalFrame.around(photos.map((p) => p.record.gps));
  const enu = photos.map((p) => frame.toLocal(p.record.gps.latitude, p.record.gps.longitude));
  const ground = groundAltitude(photos.map((p) => p.record));
  const priors = photos.map((p) => priorsOf(p, ground, options.flightHeightM));
  const gsdPriorM = priors.map((p) => (p.height && p.focalPx ? p.height.metres / p.focalPx : undefined));
  const complete = priors.every((p, k) => p.headingDeg !== undefined && gsdPriorM[k] !== undefined);

  const metadataUnitM = complete ? median(gsdPriorM as number[]) : 0;
  const placeAt = placerAtGps(enu);
  const metadataInitial = complete
    ? photos.map((_, k) => placeAt(k, metadataUnitM, priors[k]!.headingDeg!, gsdPriorM[k]!))
    : undefined;
  const candidates = metadataInitial
    ? candidatePairs(
        photos.map((p, k) => ({ width: p.width, height: p.height, initial: metadataInitial[k]! })),
        6,
        0.25,
      )
    : gpsNeighbourPairs(enu, 8);

  options.onProgress?.(0, `matching ${n} photos`);
  const matching = await matchImages(
    photos.map((p) => ({ width: p.width, height: p.height, read: p.read })),
    candidates,
    { signal: options.signal, onProgress: (f, m) => options.onProgress?.(f * 0.9, m) },
  );
  const { pairs } = matching;
  const adjusted = photos.map((p, k) => ({
    width: p.width,
    height: p.height,
    workingScale: matching.workingScales[k]!,
  }));

  const start: InitialPlacement = metadataInitial
    ? {
        initial: metadataInitial,
        unitM: metadataUnitM,
        // GPS noise: a drone receiver's.
        gpsSigmaM: GPS_SIGMA_M,
        headingSources: photos.map(() => 'registration'),
        unplaced: [],
      }
    : placeByNetworks({
        records: photos.map((p) => p.record),
        enu,
        images: adjusted,
        pairs,
        headingDeg: priors.map((p) => p.headingDeg),
        gsdPriorM,
        placeAt,
      });
  const { unitM, mountDeg } = start;
  const unplaced: PhotoPlacement['unplaced'] = start.unplaced.map((u) => ({ ...u, code: 'not-placed' as const }));

  const { placedIndices, solved, tilted } = adjustLeavingOutTilted(photos, adjusted, priors, pairs, start);
  unplaced.push(...tilted);
  const result = solved?.result;
  const perspective = solved?.perspective ?? [];

  const out: (PlacedPhoto | undefined)[] = new Array<PlacedPhoto | undefined>(n).fill(undefined);
  placedIndices.forEach((k, m) => {
    // Where the matches did not register a photo, its heading is the one it was first placed with.
    const unregisteredHeading = metadataInitial ? 'recorded-yaw' : start.headingSources[k]!;
    out[k] = {
      ...placedFigures(result!.placements[m]!, result!.registered[m]!, unregisteredHeading, priors[k]!, unitM),
      gain: matching.gains[k]!,
      ...(perspective[m]?.tiltDeg !== undefined ? { tiltDeg: perspective[m]!.tiltDeg } : {}),
    };
  });
  return {
    frame,
    unitM,
    photos: out,
    unplaced,
    pairs,
    workingScales: matching.workingScales,
    candidatePairs: candidates.length,
    rmsResidualPx: result?.rmsResidualPx ?? 0,
    method: metadataInitial ? 'metadata' : 'photos',
    ...(mountDeg !== undefined ? { mountDeg } : {}),
  };
}

/** First placements before the adjustment, from complete metadata or from the networks of matches. */
interface InitialPlacement {
  readonly initial: readonly (Similarity | undefined)[];
  readonly unitM: number;
  /** GPS noise: a drone receiver's, or what the network fits show (phones: 5–10 m). */
  readonly gpsSigmaM: number;
  readonly headingSources: readonly HeadingSource[];
  readonly mountDeg?: number;
  readonly unplaced: readonly { index: number; reason: string }[];
}

/** The similarity of photo `k` at its GPS position, from a heading and a ground resolution, in frame units of `unit` metres. */
function placerAtGps(
  enu: readonly [number, number][],
): (k: number, unit: number, headingDeg: number, gsdM: number) => Similarity {
  return (k, unit, headingDeg, gsdM) => {
    const s = gsdM / unit;
    return {
      a: s * Math.cos(headingDeg * RAD),
      b: s * Math.sin(headingDeg * RAD),
      tx: enu[k]![0] / unit,
      ty: -enu[k]![1] / unit,
    };
  };
}

/**
 * One adjustment of everything placed: matches tie photos together, GPS holds them in place.
 * Frames tilted beyond what a flat placement can carry are then left out and the rest adjusted
 * again without their matches.
 */
function adjustLeavingOutTilted(
  photos: readonly PhotoToPlace[],
  adjusted: readonly { width: number; height: number; workingScale: number }[],
  priors: readonly Priors[],
  pairs: readonly PairMatch[],
  start: InitialPlacement,
) {
  const { initial } = start;
  const adjustAll = (indices: readonly number[]) => {
    const local = new Map(indices.map((k, m) => [k, m]));
    const localPairs = pairs
      .filter((p) => local.has(p.i) && local.has(p.j))
      .map((p) => ({ ...p, i: local.get(p.i)!, j: local.get(p.j)! }));
    const result = adjust(
      indices.map((k) => ({ ...adjusted[k]!, initial: initial[k]! })),
      localPairs,
      { gpsSigmaPx: start.gpsSigmaM / start.unitM },
    );
    const perspective = estimatePerspective(
      indices.map((k, m) => ({ ...adjusted[k]!, placement: result.placements[m]!, focalPx: priors[k]!.focalPx })),
      localPairs,
    );
    return { indices, result, perspective };
  };
  let placedIndices = photos.map((_, k) => k).filter((k) => initial[k]);
  let solved = placedIndices.length ? adjustAll(placedIndices) : undefined;
  const tilted: { index: number; code: 'tilted'; reason: string }[] = [];
  if (solved) {
    const found = solved;
    tilted.push(
      ...found.indices.flatMap((k, m) => {
        const rejection = tiltRejection(photos[k]!.record, found.perspective[m]);
        return rejection ? [{ index: k, ...rejection }] : [];
      }),
    );
    if (tilted.length) {
      const out = new Set(tilted.map((t) => t.index));
      placedIndices = placedIndices.filter((k) => !out.has(k));
      solved = placedIndices.length ? adjustAll(placedIndices) : undefined;
    }
  }
  return { placedIndices, solved, tilted };
}

/** A placed photo's ground resolution, heading and height, and what each rests on. */
function placedFigures(
  placement: Similarity,
  registered: boolean,
  unregisteredHeading: HeadingSource,
  prior: Priors,
  unitM: number,
): Omit<PlacedPhoto, 'gain' | 'tiltDeg'> {
  const gsdM = scaleOf(placement) * unitM;
  const headingDeg = (((rotationOf(placement) / RAD) % 360) + 360) % 360;
  // Relative altitude and the user's flight height are taken as given; the measured scale comes
  // before GPS altitude minus the ground, which drifts.
  const measured =
    prior.focalPx && (registered || !prior.height)
      ? { metres: gsdM * prior.focalPx, source: 'photo-scale' as const }
      : undefined;
  const height =
    prior.height && prior.height.source !== 'gps-altitude-minus-ground' ? prior.height : (measured ?? prior.height);
  return {
    placement,
    registered,
    gsdM,
    headingDeg,
    headingSource: registered ? 'registration' : unregisteredHeading,
    ...(height ? { heightM: height.metres, heightSource: height.source } : { heightSource: 'unknown' as const }),
    ...(prior.headingDeg !== undefined && registered
      ? { yawDisagreementDeg: wrapAngle((prior.headingDeg - headingDeg) * RAD) / RAD }
      : {}),
  };
}

/**
 * Tilt beyond which a frame is left out: a flat placement of a frame banked this far misplaces its
 * corners by several percent of the frame (measured: gimballed DJI frames 0.4–5° against their
 * neighbours, with relief parallax; an ungimballed Canon on a multirotor up to 7.6°).
 */
export const MAX_TILT_DEG = 10;
/** The same limit as the scale change from centre to corner, for cameras of unknown focal length (~10° at a 80° diagonal field of view). */
const MAX_PERSPECTIVE = 0.15;

function tiltRejection(
  record: ImageRecord,
  estimate: PerspectiveEstimate | undefined,
): { code: 'tilted'; reason: string } | undefined {
  // The camera's own roll: an aircraft's roll says nothing of a gimballed camera's.
  const roll = record.gimbal?.roll;
  if (roll !== undefined && Math.abs(roll) > MAX_TILT_DEG)
    return {
      code: 'tilted',
      reason: `the recorded camera roll is ${roll.toFixed(1)}°; the mosaic takes frames within ${MAX_TILT_DEG}° of nadir`,
    };
  if (!estimate) return undefined;
  if (estimate.tiltDeg !== undefined ? estimate.tiltDeg > MAX_TILT_DEG : estimate.perspective > MAX_PERSPECTIVE)
    return {
      code: 'tilted',
      reason:
        estimate.tiltDeg !== undefined
          ? `tilted ${estimate.tiltDeg.toFixed(1)}° from nadir (banked), measured against its neighbours; the mosaic takes frames within ${MAX_TILT_DEG}°`
          : `its ground scale changes by ${(estimate.perspective * 100).toFixed(0)} % across the frame (tilted, banked), measured against its neighbours`,
    };
  return undefined;
}

/** Ground altitude under the flight, from photos that carry both GPS altitude and relative altitude. */
function groundAltitude(records: readonly ImageRecord[]): number | undefined {
  const samples = records
    .filter((r) => r.gps?.altitude !== undefined && r.relativeAltitude !== undefined)
    .map((r) => r.gps!.altitude! - r.relativeAltitude!);
  return samples.length ? median(samples) : undefined;
}

function priorsOf(photo: PhotoToPlace, ground: number | undefined, flightHeightM: number | undefined): Priors {
  const { record } = photo;
  const camera = cameraIntrinsics(record);
  const focalPx =
    typeof camera === 'string' ? undefined : (camera.focalLengthMm * camera.widthPx) / camera.sensorWidthMm;
  let height: Priors['height'];
  if (record.relativeAltitude !== undefined && record.relativeAltitude > 0)
    height = { metres: record.relativeAltitude, source: 'relative-altitude' };
  else if (flightHeightM !== undefined) height = { metres: flightHeightM, source: 'flight-height-option' };
  else if (record.gps.altitude !== undefined && ground !== undefined && record.gps.altitude - ground > 0)
    height = { metres: record.gps.altitude - ground, source: 'gps-altitude-minus-ground' };
  const headingDeg = record.gimbal?.yaw ?? record.flight?.yaw;
  return {
    ...(headingDeg !== undefined ? { headingDeg } : {}),
    ...(height ? { height } : {}),
    ...(focalPx ? { focalPx } : {}),
  };
}
