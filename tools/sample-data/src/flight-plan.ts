import { type SurveyMountDeg } from '@aerial/contracts';
import { groundSize, type SimCamera } from './camera';

export interface FlightPlanOptions {
  /** Survey area, metres east–west and north–south, centred on the origin. */
  readonly areaWidthM: number;
  readonly areaHeightM: number;
  readonly altitudeM: number;
  readonly forwardOverlap: number;
  readonly sideOverlap: number;
  /** The camera's rotation from the direction of flight, degrees clockwise. @default 0 */
  readonly mountDeg?: SurveyMountDeg;
}

/** One planned photo: where the camera is, in metres from the origin, and which way it faces. */
export interface PlannedPhoto {
  readonly east: number;
  readonly north: number;
  /** Azimuth of the image's top edge, degrees clockwise from north: `travel` + the mount. */
  readonly heading: number;
  /** Direction of flight, degrees clockwise from north. */
  readonly travel: number;
  readonly line: number;
}

/**
 * A lawnmower pattern: lines flown north then south in turn, the camera's top edge facing the
 * direction of flight turned by the mount, spaced so consecutive frames overlap by
 * `forwardOverlap` and lines by `sideOverlap`.
 */
export function lawnmower(camera: SimCamera, o: FlightPlanOptions): PlannedPhoto[] {
  if (!(o.forwardOverlap >= 0 && o.forwardOverlap < 1 && o.sideOverlap >= 0 && o.sideOverlap < 1)) {
    throw new Error('overlaps must be fractions from 0 to below 1');
  }
  const mount = o.mountDeg ?? 0;
  const [width, height] = groundSize(camera, o.altitudeM);
  // A camera turned a quarter lays its frame's width along the track.
  const [across, along] = mount % 180 === 0 ? [width, height] : [height, width];
  const baseline = along * (1 - o.forwardOverlap);
  const lineSpacing = across * (1 - o.sideOverlap);
  const lines = Math.max(1, Math.ceil(o.areaWidthM / lineSpacing) + 1);
  const shots = Math.max(1, Math.ceil(o.areaHeightM / baseline) + 1);
  const west = -((lines - 1) * lineSpacing) / 2;
  const south = -((shots - 1) * baseline) / 2;
  const photos: PlannedPhoto[] = [];
  for (let line = 0; line < lines; line++) {
    const northward = line % 2 === 0;
    const travel = northward ? 0 : 180;
    for (let k = 0; k < shots; k++) {
      const step = northward ? k : shots - 1 - k;
      photos.push({
        east: west + line * lineSpacing,
        north: south + step * baseline,
        heading: (travel + mount) % 360,
        travel,
        line,
      });
    }
  }
  return photos;
}
