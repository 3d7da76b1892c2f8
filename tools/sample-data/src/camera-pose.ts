import { type SimCamera } from './camera';

const RAD = Math.PI / 180;

/** Where a camera is and how it is turned, in metres from the survey origin and degrees. */
export interface CameraPose {
  readonly east: number;
  readonly north: number;
  readonly heightM: number;
  /** Azimuth of the image's top edge when the camera is level, degrees clockwise from north. */
  readonly heading: number;
  /** Direction of flight, degrees clockwise from north: the axis the camera rolls about. */
  readonly travel: number;
  /**
   * Roll about the direction of flight, degrees, as an aircraft banks: positive lowers the right
   * side, so a camera that looked straight down looks left of the track.
   */
  readonly rollDeg: number;
}

export type Vec3 = readonly [number, number, number];

/** The camera's axes in east, north, up: image right, image up (top edge), and the optical axis. */
export interface CameraAxes {
  readonly right: Vec3;
  readonly up: Vec3;
  readonly forward: Vec3;
}

export function cameraAxes(pose: CameraPose): CameraAxes {
  const t = pose.heading * RAD;
  const level: CameraAxes = {
    right: [Math.cos(t), -Math.sin(t), 0],
    up: [Math.sin(t), Math.cos(t), 0],
    forward: [0, 0, -1],
  };
  if (pose.rollDeg === 0) return level;
  const travel = pose.travel * RAD;
  const axis: Vec3 = [Math.sin(travel), Math.cos(travel), 0];
  const roll = pose.rollDeg * RAD;
  return {
    right: rotate(level.right, axis, roll),
    up: rotate(level.up, axis, roll),
    forward: rotate(level.forward, axis, roll),
  };
}

/**
 * Where the ray through a point of the sensor meets the flat ground, as [east, north] metres.
 * `xMm`, `yMm` are measured from the sensor's centre, right and up.
 */
export function groundPoint(
  pose: CameraPose,
  axes: CameraAxes,
  camera: SimCamera,
  xMm: number,
  yMm: number,
): [number, number] {
  const { right, up, forward } = axes;
  const f = camera.focalLengthMm;
  const rayE = xMm * right[0] + yMm * up[0] + f * forward[0];
  const rayN = xMm * right[1] + yMm * up[1] + f * forward[1];
  const rayU = xMm * right[2] + yMm * up[2] + f * forward[2];
  if (rayU >= 0) throw new Error('a corner of the frame looks at or above the horizon');
  const s = pose.heightM / -rayU;
  return [pose.east + s * rayE, pose.north + s * rayN];
}

/** The ground under the frame's corners, top-left, top-right, bottom-right, bottom-left, [east, north]. */
export function footprintCorners(
  pose: CameraPose,
  camera: SimCamera,
): [[number, number], [number, number], [number, number], [number, number]] {
  const axes = cameraAxes(pose);
  const x = camera.sensorWidthMm / 2;
  const y = camera.sensorHeightMm / 2;
  return [
    groundPoint(pose, axes, camera, -x, y),
    groundPoint(pose, axes, camera, x, y),
    groundPoint(pose, axes, camera, x, -y),
    groundPoint(pose, axes, camera, -x, -y),
  ];
}

/** Rodrigues' rotation of `v` by `angle` radians about the unit `axis`, right-handed. */
function rotate(v: Vec3, axis: Vec3, angle: number): Vec3 {
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  const [kx, ky, kz] = axis;
  const [vx, vy, vz] = v;
  const dot = kx * vx + ky * vy + kz * vz;
  return [
    vx * c + (ky * vz - kz * vy) * s + kx * dot * (1 - c),
    vy * c + (kz * vx - kx * vz) * s + ky * dot * (1 - c),
    vz * c + (kx * vy - ky * vx) * s + kz * dot * (1 - c),
  ];
}
