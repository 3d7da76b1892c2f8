import { type FootprintRecord, type ImageRecord } from '@aerial/contracts';
import { type LocalFrame } from '../../geo/local-frame';
import { groundResolution, worldPixel } from '../../geo/web-mercator';
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
 * An image's first placement in the world pixel grid at `zoom`, relative to `origin`: centre from
 * GPS (or the SfM camera centre), rotation from the recorded yaw (or the SfM camera's heading),
 * scale from the footprint's GSD. Mosaic y points down, so a heading ψ (clockwise from north)
 * is a rotation by ψ.
 */
export function initialPlacement(
  record: ImageRecord,
  footprint: FootprintRecord,
  zoom: number,
  origin: [number, number],
  sfm?: SfmCamera,
): { placement: Similarity; source: 'gps' | 'sfm' } {
  const [lon, lat] = footprint.center;
  const scale = footprint.gsdCm / 100 / groundResolution(zoom, lat);
  let heading = record.gimbal?.yaw ?? record.flight?.yaw ?? 0;
  let centre: [number, number] = [lon, lat];
  let source: 'gps' | 'sfm' = 'gps';
  let s = scale;
  if (sfm) {
    // Follow the principal ray to the ground: a camera tilted by 2° at 40 m looks 1.4 m away
    // from the point below it, and the image centre is what the placement pins.
    const ground = sfm.centerEnu[2] - sfm.heightAboveGroundM;
    const axis = opticalAxis(sfm.qvec);
    if (axis[2] < -0.5) {
      const t = (ground - sfm.centerEnu[2]) / axis[2];
      centre = sfm.frame.toLonLat(sfm.centerEnu[0] + t * axis[0], sfm.centerEnu[1] + t * axis[1]);
      s = scale * (t / sfm.heightAboveGroundM);
      heading = sfmHeading(sfm.qvec);
      source = 'sfm';
    }
  }
  const [px, py] = worldPixel(centre[0], centre[1], zoom);
  const theta = heading * RAD;
  return {
    placement: { a: s * Math.cos(theta), b: s * Math.sin(theta), tx: px - origin[0], ty: py - origin[1] },
    source,
  };
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
