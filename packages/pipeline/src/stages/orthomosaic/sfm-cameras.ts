import { type FootprintRecord, type ImageRegistration, SfmCamerasSchema } from '@aerial/contracts';
import { LocalFrame, median } from '../../geo/local-frame';
import { type ObjectStore, optionalStageOutputs } from '@aerial/runtime';
import { type PairMatch } from './feature-matching';
import { adjust } from './global-adjustment';
import { type SfmCamera, sfmPlacement } from './initial-placement';
import { type Similarity, scaleOf } from './similarity';

/** SfM cameras further than this (median) from the registered photos are not trusted, metres. */
export const SFM_MAX_DISAGREEMENT_M = 5;

/**
 * The registration re-adjusted to the SfM cameras: each registered camera gives a first placement
 * (its principal ray to the ground, its heading), which the stored matches then tie together, held
 * close (0.3 m) to the SfM positions. Photos SfM did not register keep their registered placement.
 */
export function adjustToSfm(
  registration: ImageRegistration,
  cameras: readonly (SfmCamera | undefined)[],
  frame: LocalFrame,
): { placements: Similarity[]; fromSfm: boolean[]; disagreementM?: number } {
  const { unitM } = registration;
  const fromSfm = registration.images.map((image, k) => {
    const camera = cameras[k];
    return camera ? sfmPlacement(camera, scaleOf(image.placement) * unitM, frame, unitM) : undefined;
  });
  const pairs: PairMatch[] = registration.pairs.map((p) => ({
    i: p.i,
    j: p.j,
    pointsI: Float32Array.from(p.pointsI),
    pointsJ: Float32Array.from(p.pointsJ),
    rotationRad: p.rotationRad,
    scale: 1,
    matches: p.matches,
  }));
  const result = adjust(
    registration.images.map((image, k) => ({
      width: image.width,
      height: image.height,
      workingScale: 1,
      initial: fromSfm[k] ?? image.placement,
    })),
    pairs,
    { gpsSigmaPx: 0.3 / unitM },
  );
  const distances = fromSfm.flatMap((p, k) => {
    const registered = registration.images[k]!.placement;
    return p ? [Math.hypot(p.tx - registered.tx, p.ty - registered.ty) * unitM] : [];
  });
  return {
    placements: result.placements,
    fromSfm: fromSfm.map((p) => p !== undefined),
    disagreementM: distances.length ? median(distances) : undefined,
  };
}

/**
 * The SfM cameras, when that stage ran, with each one's height above the ground: from the model's
 * sparse points, else as Footprints found it.
 */
export async function readSfmCameras(
  store: ObjectStore,
  jobId: string,
): Promise<{ cameraOf: (image: string, footprint?: FootprintRecord) => SfmCamera | undefined } | undefined> {
  const sfm = await optionalStageOutputs(store, jobId, 'SfM');
  if (!sfm) return undefined;
  const doc = await sfm.json('cameras', SfmCamerasSchema);
  const frame = new LocalFrame(doc.origin.latitude, doc.origin.longitude);
  const byName = new Map(doc.images.map((c) => [c.image, c]));
  return {
    cameraOf: (image, footprint) => {
      const c = byName.get(image);
      // The model's own ground first (its heights are in the metres it is aligned in), then the
      // height Footprints found.
      const height = c?.heightAboveGroundM ?? footprint?.heightAboveGroundM;
      return c?.registered && c.centerEnu && c.qvec && height
        ? { image, centerEnu: c.centerEnu as [number, number, number], qvec: c.qvec, frame, heightAboveGroundM: height }
        : undefined;
    },
  };
}
