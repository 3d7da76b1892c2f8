import { type LocalFrame } from '../../geo/local-frame';
import { type Similarity } from './similarity';

const RAD = Math.PI / 180;

/** A registered camera from the SfM stage's `cameras.json`. */
export interface SfmCamera {
  readonly image: string;
  /** Camera centre in the model's ENU frame, metres. */
  readonly centerEnu: [number, number, number];
  /** World-to-camera rotation (COLMAP's qvec, w x y z) in the ENU frame. */
  readonly qvec: readonly number[];
  readonly frame: LocalFrame;
  /** The camera's recorded height above the ground, metres. */
  readonly heightAboveGroundM: number;
}

/**
 * A photo's first placement from its SfM camera in a job frame (east/north around `frame`'s
 * origin, y down, units of `unitM` metres): centre where the principal ray meets the ground,
 * heading from the camera's rotation, scale from the registered ground resolution corrected for
 * the ray's length. Undefined when the camera does not look down.
 */
export function sfmPlacement(sfm: SfmCamera, gsdM: number, frame: LocalFrame, unitM: number): Similarity | undefined {
  // Follow the principal ray to the ground: a camera tilted by 2° at 40 m looks 1.4 m away
  // from the point below it, and the image centre is what the placement pins.
  const ground = sfm.centerEnu[2] - sfm.heightAboveGroundM;
  const axis = opticalAxis(sfm.qvec);
  if (axis[2] >= -0.5) return undefined;
  const t = (ground - sfm.centerEnu[2]) / axis[2];
  const [lon, lat] = sfm.frame.toLonLat(sfm.centerEnu[0] + t * axis[0], sfm.centerEnu[1] + t * axis[1]);
  const [east, north] = frame.toLocal(lat, lon);
  const s = (gsdM * (t / sfm.heightAboveGroundM)) / unitM;
  const theta = sfmHeading(sfm.qvec) * RAD;
  return { a: s * Math.cos(theta), b: s * Math.sin(theta), tx: east / unitM, ty: -north / unitM };
}

/** The camera's viewing direction (its +z axis) in the world for a COLMAP world-to-camera rotation. */
export function opticalAxis(qvec: readonly number[]): [number, number, number] {
  const [w, x, y, z] = qvec as [number, number, number, number];
  // Third row of R.
  return [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)];
}

/** Azimuth (degrees from north) of the image's top edge for a COLMAP world-to-camera rotation in ENU. */
export function sfmHeading(qvec: readonly number[]): number {
  const [w, x, y, z] = qvec as [number, number, number, number];
  // Rows of R (world→camera); the camera's −y axis (image up) in world is −(second row).
  const r10 = 2 * (x * y + w * z);
  const r11 = 1 - 2 * (x * x + z * z);
  const upEast = -r10;
  const upNorth = -r11;
  return Math.atan2(upEast, upNorth) / RAD;
}
