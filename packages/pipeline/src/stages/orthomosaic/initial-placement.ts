import { type FootprintRecord, type ImageRecord } from '@aerial/contracts';
import { groundResolution, worldPixel } from '../../geo/web-mercator';
import { type Similarity } from './similarity';

const RAD = Math.PI / 180;

/** A registered camera from the SfM stage's `cameras.json`. */
export interface SfmCamera {
  readonly image: string;
  readonly registered: boolean;
  readonly centerWgs84?: number[];
  /** World-to-camera rotation (COLMAP's qvec, w x y z) in the ENU frame. */
  readonly qvec?: number[];
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
  if (sfm?.registered && sfm.centerWgs84 && sfm.qvec) {
    centre = [sfm.centerWgs84[0]!, sfm.centerWgs84[1]!];
    heading = sfmHeading(sfm.qvec);
    source = 'sfm';
  }
  const [px, py] = worldPixel(centre[0], centre[1], zoom);
  const theta = heading * RAD;
  return {
    placement: { a: scale * Math.cos(theta), b: scale * Math.sin(theta), tx: px - origin[0], ty: py - origin[1] },
    source,
  };
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
