import { type ImageRecord } from '@aerial/contracts';
import { type LocalFrame } from '../../geo/local-frame';
import { round } from '../../numbers/round';
import { cameraCenter, type ColmapModel, reprojectionErrorByImage } from './colmap-text-model';
import { heightsAboveSparseGround } from './sparse-ground';

/** One image as SfM registered it (or not), in the ENU frame and WGS84. */
export type CameraRegistration =
  | { image: string; registered: false }
  | {
      image: string;
      registered: true;
      heightAboveGroundM?: number;
      focalPx?: number;
      centerEnu: number[];
      centerWgs84: number[];
      qvec: number[];
      tvec: number[];
      observations: number;
      meanReprojectionErrorPx: number;
    };

/**
 * Each fetched image (by its name in the work folder) as the aligned model holds it. The sparse
 * points give each camera's height above the ground, and COLMAP's refined focal length its
 * scale: what photos with no relative altitude and an unknown camera lack.
 */
export function cameraRegistrations(
  model: ColmapModel,
  nameOf: ReadonlyMap<string, ImageRecord>,
  frame: LocalFrame,
  originAltitude: number | undefined,
): CameraRegistration[] {
  const errors = reprojectionErrorByImage(model);
  const registered = new Map(model.images.map((im) => [im.name, im]));
  const centres = new Map(model.images.map((im) => [im.name, cameraCenter(im.qvec, im.tvec)]));
  const heights = heightsAboveSparseGround(
    [...centres.values()],
    model.points.map((p) => p.xyz),
  );
  const heightOf = new Map([...centres.keys()].map((name, k) => [name, heights[k]]));
  const cameraById = new Map(model.cameras.map((c) => [c.id, c]));
  return [...nameOf].map(([name, record]): CameraRegistration => {
    const im = registered.get(name);
    if (!im) return { image: record.name, registered: false };
    const [e, n, u] = centres.get(name)!;
    const [lon, lat] = frame.toLonLat(e, n);
    const camera = cameraById.get(im.cameraId);
    const height = heightOf.get(name);
    return {
      image: record.name,
      registered: true,
      ...(height !== undefined ? { heightAboveGroundM: round(height, 3) } : {}),
      ...(camera && record.width && camera.params[0]
        ? { focalPx: round((camera.params[0] * record.width) / camera.width, 2) }
        : {}),
      centerEnu: [e, n, u].map((v) => round(v, 4)),
      centerWgs84: [round(lon, 8), round(lat, 8), round((originAltitude ?? 0) + u, 3)],
      qvec: im.qvec,
      tvec: im.tvec,
      observations: im.observations,
      meanReprojectionErrorPx: round(errors.get(im.id) ?? Number.NaN, 4),
    };
  });
}
