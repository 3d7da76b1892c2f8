import { type CameraIntrinsics } from './camera-intrinsics';

const RAD = Math.PI / 180;

/** A nadir image's rectangle on flat ground, in a local east/north frame (metres). */
export interface GroundRectangle {
  readonly center: [number, number];
  /** Ground size across the image width and along its height. */
  readonly widthM: number;
  readonly heightM: number;
  /** Azimuth of the image's top edge, degrees clockwise from north. */
  readonly headingDeg: number;
  /** Corners: top-left, top-right, bottom-right, bottom-left. */
  readonly corners: [number, number][];
  readonly gsdM: number;
}

/** Projects a nadir pinhole camera at `heightM` above flat ground. */
export function groundRectangle(
  center: [number, number],
  heightM: number,
  headingDeg: number,
  camera: CameraIntrinsics,
): GroundRectangle {
  const widthM = (heightM * camera.sensorWidthMm) / camera.focalLengthMm;
  const heightGroundM = (heightM * camera.sensorHeightMm) / camera.focalLengthMm;
  const t = headingDeg * RAD;
  const up: [number, number] = [Math.sin(t), Math.cos(t)];
  const right: [number, number] = [Math.cos(t), -Math.sin(t)];
  const at = (x: number, y: number): [number, number] => [
    center[0] + x * right[0] + y * up[0],
    center[1] + x * right[1] + y * up[1],
  ];
  const hw = widthM / 2;
  const hh = heightGroundM / 2;
  return {
    center,
    widthM,
    heightM: heightGroundM,
    headingDeg,
    corners: [at(-hw, hh), at(hw, hh), at(hw, -hh), at(-hw, -hh)],
    gsdM: widthM / camera.widthPx,
  };
}

/** Displacement of `other` in `rect`'s image axes: [along the width, along the height], metres. */
export function inImageAxes(rect: GroundRectangle, other: [number, number]): [number, number] {
  const t = rect.headingDeg * RAD;
  const dx = other[0] - rect.center[0];
  const dy = other[1] - rect.center[1];
  return [dx * Math.cos(t) - dy * Math.sin(t), dx * Math.sin(t) + dy * Math.cos(t)];
}

/**
 * Forward and side overlap of each footprint with its nearest neighbour along the image height
 * (the flight direction of a nadir survey) and across it: 1 − baseline / footprint length, the
 * photogrammetric definition. Undefined where no neighbour overlaps.
 */
export function overlaps(rects: readonly GroundRectangle[]): { forward?: number; side?: number }[] {
  return rects.map((rect, i) => {
    let forward: number | undefined;
    let side: number | undefined;
    rects.forEach((other, j) => {
      if (i === j) return;
      const [across, along] = inImageAxes(rect, other.center);
      if (Math.abs(along) >= Math.abs(across)) {
        if (Math.abs(across) < rect.widthM / 2) {
          const o = 1 - Math.abs(along) / rect.heightM;
          if (o > 0 && (forward === undefined || o > forward)) forward = o;
        }
      } else if (Math.abs(along) < rect.heightM / 2) {
        const o = 1 - Math.abs(across) / rect.widthM;
        if (o > 0 && (side === undefined || o > side)) side = o;
      }
    });
    return { forward, side };
  });
}
