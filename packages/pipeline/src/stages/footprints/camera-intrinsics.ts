import { type ImageRecord } from '@aerial/contracts';

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
  readonly source: 'exif-focal-plane' | 'focal-35mm';
}

/**
 * The sensor area an image used. EXIF focal-plane resolution is used when present; otherwise the
 * 35 mm equivalent gives the sensor diagonal. Drone cameras with 4:3 sensors record 16:9 video-
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
  if (!camera.focalLength35mm)
    return 'no sensor size: EXIF has neither focal-plane resolution nor a 35 mm equivalent focal length';
  const diagonal = FULL_FRAME_DIAGONAL_MM / (camera.focalLength35mm / f);
  const [long, short] = width >= height ? [width, height] : [height, width];
  const aspect = long / short;
  // A 16:9 frame is a crop of a 4:3 sensor; other frames fill the sensor.
  const nativeAspect = Math.abs(aspect - 16 / 9) < 0.01 ? 4 / 3 : aspect;
  const longMm = diagonal * (nativeAspect / Math.hypot(nativeAspect, 1));
  const shortMm = longMm / aspect;
  const [sensorWidthMm, sensorHeightMm] = width >= height ? [longMm, shortMm] : [shortMm, longMm];
  return { focalLengthMm: f, sensorWidthMm, sensorHeightMm, widthPx: width, heightPx: height, source: 'focal-35mm' };
}
