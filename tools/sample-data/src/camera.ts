/** The simulated camera: a 1/2.3"-class sensor with a 4.5 mm lens, 4:3 frames. */
export interface SimCamera {
  readonly make: string;
  readonly model: string;
  readonly widthPx: number;
  readonly heightPx: number;
  readonly focalLengthMm: number;
  readonly sensorWidthMm: number;
  readonly sensorHeightMm: number;
  /** Exactly what EXIF records (an integer), consistent with the sensor size. */
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

/** Ground size of a nadir frame at `heightM`: [across the width, along the height], metres. */
export function groundSize(camera: SimCamera, heightM: number): [number, number] {
  return [
    (heightM * camera.sensorWidthMm) / camera.focalLengthMm,
    (heightM * camera.sensorHeightMm) / camera.focalLengthMm,
  ];
}
