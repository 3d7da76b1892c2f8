import { type ImageRecord } from '@aerial/contracts';
import { lookUpSensor } from './camera-sensors/sensor-table';

/** Diagonal of a 35 mm film frame (36 × 24 mm), the reference of "35 mm equivalent" focal lengths. */
const FULL_FRAME_DIAGONAL_MM = Math.hypot(36, 24);

export interface CameraIntrinsics {
  readonly focalLengthMm: number;
  /** Size of the image area on the sensor, matching the image's width and height. */
  readonly sensorWidthMm: number;
  readonly sensorHeightMm: number;
  readonly widthPx: number;
  readonly heightPx: number;
  /** How the sensor size was found. */
  readonly source: 'exif-focal-plane' | 'focal-35mm' | 'sensor-table';
  /** The sensor table's name for the camera, when the size came from the table. */
  readonly sensorTableName?: string;
}

/**
 * The sensor area an image used. EXIF focal-plane resolution is used when present; otherwise the
 * 35 mm equivalent gives the sensor diagonal; otherwise the camera's make and model are looked up in
 * the sensor table (camera-sensors/README.md). Drone cameras with 4:3 sensors record 16:9 video-
 * style stills by cropping rows, keeping the full width (DJI FC300S: 4000×3000 sensor, 4000×2250
 * photos), and their 35 mm equivalent describes the full 4:3 sensor.
 */
export function cameraIntrinsics(record: ImageRecord): CameraIntrinsics | string {
  const { width, height, camera } = record;
  if (!width || !height) return 'image size unknown';
  const f = camera.focalLengthMm;
  if (!f) return 'no focal length in EXIF';
  if (camera.sensorWidthMm) {
    return {
      focalLengthMm: f,
      sensorWidthMm: camera.sensorWidthMm,
      sensorHeightMm: camera.sensorHeightMm ?? (camera.sensorWidthMm * height) / width,
      widthPx: width,
      heightPx: height,
      source: 'exif-focal-plane',
    };
  }
  const [long, short] = width >= height ? [width, height] : [height, width];
  const orient = (longMm: number, shortMm: number) =>
    width >= height
      ? { sensorWidthMm: longMm, sensorHeightMm: shortMm }
      : { sensorWidthMm: shortMm, sensorHeightMm: longMm };
  if (camera.focalLength35mm) {
    const diagonal = FULL_FRAME_DIAGONAL_MM / (camera.focalLength35mm / f);
    const aspect = long / short;
    // A 16:9 frame is a crop of a 4:3 sensor; other frames fill the sensor.
    const nativeAspect = Math.abs(aspect - 16 / 9) < 0.01 ? 4 / 3 : aspect;
    const longMm = diagonal * (nativeAspect / Math.hypot(nativeAspect, 1));
    return {
      focalLengthMm: f,
      ...orient(longMm, longMm / aspect),
      widthPx: width,
      heightPx: height,
      source: 'focal-35mm',
    };
  }
  const sensor = lookUpSensor(camera.make, camera.model);
  if (!sensor) return noSensorReason(camera.make, camera.model);
  // The photo is the largest frame of its own aspect that fits the sensor: the full width for a
  // 16:9 crop of a 4:3 sensor, the full height for a 1:1 crop. Most table entries give only the
  // long side, and then the full width is the assumption.
  const pitchMm = sensor.heightMm ? Math.min(sensor.widthMm / long, sensor.heightMm / short) : sensor.widthMm / long;
  return {
    focalLengthMm: f,
    ...orient(long * pitchMm, short * pitchMm),
    widthPx: width,
    heightPx: height,
    source: 'sensor-table',
    sensorTableName: sensor.name,
  };
}

function noSensorReason(make: string | undefined, model: string | undefined): string {
  const name = [make, model]
    .map((part) => part?.replace(/\u0000/g, '').trim())
    .filter(Boolean)
    .join(' ');
  const camera = name ? `camera "${name}" is not in the sensor table` : 'the camera make and model are not in EXIF';
  return (
    `no sensor size: EXIF has neither focal-plane resolution nor a 35 mm equivalent focal length, and ${camera}; ` +
    'write the 35 mm equivalent focal length into the photos (exiftool -FocalLengthIn35mmFormat=<mm>) ' +
    "or ask for the camera's sensor width to be added to the sensor table"
  );
}
