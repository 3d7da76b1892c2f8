import { SurveyCameraTagsSchema, SurveyMountDegSchema } from '@aerial/contracts';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type SurveyOptions } from './survey-options';

export const USAGE = `usage: aerial-sample-data [--out DIR] [--altitude M] [--area WxH] [--overlap F,S] [--size WxH]
                          [--gps-noise M] [--yaw-noise DEG] [--seed N]
                          [--no-xmp] [--camera-tags full|table-only|equivalent-only]
                          [--altitude-drift M] [--mount 0|90|180|270] [--bank DEG --bank-photos N,N...]

Renders a synthetic drone survey (JPEG photos with GPS, EXIF and DJI XMP) and its ground truth.

  --no-xmp           no DJI XMP: no relative altitude, no gimbal or flight attitude
  --camera-tags      full: focal length, 35 mm equivalent and focal-plane resolution (default);
                     table-only: focal length only, from a Canon PowerShot SX260 HS (sensor from a table);
                     equivalent-only: focal length and 35 mm equivalent, from a camera no table lists
  --altitude-drift   metres the recorded GPS altitude rises from the first photo to the last
  --mount            the camera's rotation from the direction of flight, clockwise: heading = travel + mount
  --bank, --bank-photos
                     roll (degrees, positive right side down, at most 30) of the listed photos,
                     numbered from 1 as in their file names

A negative value needs an equals sign: --bank=-20, --altitude-drift=-5.`;

/** The survey options a command line asks for, or 'help'; throws with the flag to fix. */
export function surveyOptionsFromArgs(args: readonly string[]): Omit<SurveyOptions, 'onProgress'> | 'help' {
  const { values } = parseArgs({
    args: [...args],
    options: {
      out: { type: 'string', default: '.aerial/sample-survey' },
      altitude: { type: 'string', default: '60' },
      area: { type: 'string', default: '100x80' },
      overlap: { type: 'string', default: '0.7,0.6' },
      size: { type: 'string', default: '1600x1200' },
      'gps-noise': { type: 'string', default: '0' },
      'yaw-noise': { type: 'string', default: '0' },
      seed: { type: 'string', default: '1' },
      'no-xmp': { type: 'boolean', default: false },
      'camera-tags': { type: 'string', default: 'full' },
      'altitude-drift': { type: 'string', default: '0' },
      mount: { type: 'string', default: '0' },
      bank: { type: 'string' },
      'bank-photos': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help';
  const [areaWidthM, areaHeightM] = pair(values.area, 'x', 'area');
  const [forwardOverlap, sideOverlap] = pair(values.overlap, ',', 'overlap');
  const [widthPx, heightPx] = pair(values.size, 'x', 'size');
  const cameraTags = SurveyCameraTagsSchema.safeParse(values['camera-tags']);
  if (!cameraTags.success) throw new Error(`--camera-tags must be one of ${SurveyCameraTagsSchema.options.join(', ')}`);
  const mount = SurveyMountDegSchema.safeParse(Number(values.mount));
  if (!mount.success) throw new Error('--mount must be 0, 90, 180 or 270');
  if ((values.bank === undefined) !== (values['bank-photos'] === undefined)) {
    throw new Error('--bank and --bank-photos go together: the roll and which photos have it');
  }
  return {
    outDir: resolve(values.out),
    altitudeM: positive(values.altitude, 'altitude'),
    areaWidthM,
    areaHeightM,
    forwardOverlap,
    sideOverlap,
    widthPx,
    heightPx,
    gpsNoiseM: positive(values['gps-noise'], 'gps-noise'),
    yawNoiseDeg: positive(values['yaw-noise'], 'yaw-noise'),
    seed: Math.round(positive(values.seed, 'seed')),
    xmp: !values['no-xmp'],
    cameraTags: cameraTags.data,
    altitudeDriftM: signed(values['altitude-drift'], 'altitude-drift'),
    mountDeg: mount.data,
    ...(values.bank === undefined ? {} : { bankDeg: signed(values.bank, 'bank') }),
    ...(values['bank-photos'] === undefined ? {} : { bankedPhotos: photoNumbers(values['bank-photos']) }),
  };
}

function pair(text: string, sep: string, what: string): [number, number] {
  const parts = text.split(sep).map(Number);
  if (parts.length !== 2 || parts.some((n) => !Number.isFinite(n) || n <= 0))
    throw new Error(`--${what} must look like 100${sep}80`);
  return parts as [number, number];
}

function positive(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${what} must be a number ≥ 0`);
  return n;
}

function signed(text: string, what: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n)) throw new Error(`--${what} must be a number, e.g. 15 or -15`);
  return n;
}

function photoNumbers(text: string): number[] {
  const numbers = text.split(',').map(Number);
  if (numbers.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error('--bank-photos must list photo numbers from 1, e.g. 3,7');
  }
  return numbers;
}
