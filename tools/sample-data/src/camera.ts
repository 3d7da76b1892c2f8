import { type SurveyCameraTags } from '@aerial/contracts';

/** The simulated camera: a 1/2.3"-class sensor with a 4.5 mm lens, 4:3 frames. */
export interface SimCamera {
  readonly make: string;
  readonly model: string;
  readonly widthPx: number;
  readonly heightPx: number;
  readonly focalLengthMm: number;
  readonly sensorWidthMm: number;
  readonly sensorHeightMm: number;
  /** The 35 mm equivalent of the lens on this sensor; what EXIF records, rounded, when it records it. */
  readonly focalLength35mm: number;
}

const FULL_FRAME_DIAGONAL_MM = Math.hypot(36, 24);

/** A camera whose 35 mm equivalent is an exact integer, so both EXIF routes give the same sensor. */
export function simCamera(widthPx = 1600, heightPx = 1200, focalLengthMm = 4.5, focalLength35mm = 24): SimCamera {
  const diagonal = (FULL_FRAME_DIAGONAL_MM * focalLengthMm) / focalLength35mm;
  const aspect = widthPx / heightPx;
  const sensorWidthMm = (diagonal * aspect) / Math.hypot(aspect, 1);
  return {
    make: 'Aerial',
    model: 'SimCam 1',
    widthPx,
    heightPx,
    focalLengthMm,
    sensorWidthMm,
    sensorHeightMm: sensorWidthMm / aspect,
    focalLength35mm,
  };
}

/** The 1/2.3" sensor of the Canon PowerShot SX260 HS, 6.16 × 4.62 mm (OpenSfM's sensor table); its zoom starts at 4.5 mm. */
const SX260_SENSOR_WIDTH_MM = 6.16;

/** The camera that writes the tags of `mode`, with its make, model and true sensor. */
export function cameraFor(mode: SurveyCameraTags, widthPx = 1600, heightPx = 1200): SimCamera {
  if (mode === 'full') return simCamera(widthPx, heightPx);
  if (mode === 'equivalent-only') return { ...simCamera(widthPx, heightPx), model: 'Unlisted 9' };
  const focalLengthMm = 4.5;
  // Square pixels: a frame of another aspect than the sensor's 4:3 uses its full width,
  // which is what a sensor table gives and a pipeline scales by.
  const sensorHeightMm = (SX260_SENSOR_WIDTH_MM * heightPx) / widthPx;
  return {
    make: 'Canon',
    model: 'Canon PowerShot SX260 HS',
    widthPx,
    heightPx,
    focalLengthMm,
    sensorWidthMm: SX260_SENSOR_WIDTH_MM,
    sensorHeightMm,
    focalLength35mm: (focalLengthMm * FULL_FRAME_DIAGONAL_MM) / Math.hypot(SX260_SENSOR_WIDTH_MM, sensorHeightMm),
  };
}

/** Ground size of a nadir frame at `heightM`: [across the width, along the height], metres. */
export function groundSize(camera: SimCamera, heightM: number): [number, number] {
  return [
    (heightM * camera.sensorWidthMm) / camera.focalLengthMm,
    (heightM * camera.sensorHeightMm) / camera.focalLengthMm,
  ];
}
