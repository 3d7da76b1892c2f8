import {
  AerialError,
  SurveyCameraTagsSchema,
  SurveyMountDegSchema,
  type SurveyCameraTags,
  type SurveyMountDeg,
} from '@aerial/contracts';

export interface SurveyOptions {
  /** Folder that receives `images/` and `ground-truth.json`. */
  readonly outDir: string;
  /** Centre of the survey. @default meadows south-west of Cambridge, UK */
  readonly latitude?: number;
  readonly longitude?: number;
  /** Ground elevation above sea level, metres. @default 12 */
  readonly groundAltitudeM?: number;
  /** Flying height above the ground, metres. @default 60 */
  readonly altitudeM?: number;
  /** Survey area, metres east–west × north–south. @default 100 × 80 */
  readonly areaWidthM?: number;
  readonly areaHeightM?: number;
  /** @default 0.7 */
  readonly forwardOverlap?: number;
  /** @default 0.6 */
  readonly sideOverlap?: number;
  /** Frame size in pixels. @default 1600 × 1200 */
  readonly widthPx?: number;
  readonly heightPx?: number;
  /** Standard deviation of the noise added to recorded GPS positions (metres) and yaw (degrees). @default 0 */
  readonly gpsNoiseM?: number;
  readonly yawNoiseDeg?: number;
  /** Whether photos carry DJI's XMP; without it only EXIF GPS and camera tags remain. @default true */
  readonly xmp?: boolean;
  /** Which EXIF camera tags photos carry, and so which camera took them. @default 'full' */
  readonly cameraTags?: SurveyCameraTags;
  /**
   * How much the recorded GPS altitude rises, linearly, from the first photo to the last (negative
   * falls); the true height above the ground stays constant. @default 0
   */
  readonly altitudeDriftM?: number;
  /** The camera's rotation from the direction of flight: image heading = travel + mount. @default 0 */
  readonly mountDeg?: SurveyMountDeg;
  /** Roll of the banked photos about the direction of flight, degrees, positive right side down. @default 0 */
  readonly bankDeg?: number;
  /** Which photos are banked, numbered from 1 as in their file names. @default none */
  readonly bankedPhotos?: readonly number[];
  /** @default 1 */
  readonly seed?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/** Steeper views see far towards the horizon: their ground would be too large to render. */
export const MAX_BANK_DEG = 30;

export type ResolvedSurveyOptions = Required<Omit<SurveyOptions, 'onProgress'>> & Pick<SurveyOptions, 'onProgress'>;

/** The options with their defaults, checked; throws `Aerial.InvalidInput` naming the bad option. */
export function resolveSurveyOptions(options: SurveyOptions): ResolvedSurveyOptions {
  const o = {
    latitude: 52.1895,
    longitude: 0.0958,
    groundAltitudeM: 12,
    altitudeM: 60,
    areaWidthM: 100,
    areaHeightM: 80,
    forwardOverlap: 0.7,
    sideOverlap: 0.6,
    widthPx: 1600,
    heightPx: 1200,
    gpsNoiseM: 0,
    yawNoiseDeg: 0,
    xmp: true,
    cameraTags: 'full' as const,
    altitudeDriftM: 0,
    mountDeg: 0 as const,
    bankDeg: 0,
    bankedPhotos: [],
    seed: 1,
    ...options,
  };
  if (!SurveyCameraTagsSchema.safeParse(o.cameraTags).success) {
    invalid(`cameraTags is ${String(o.cameraTags)}`, `use one of ${SurveyCameraTagsSchema.options.join(', ')}`);
  }
  if (!SurveyMountDegSchema.safeParse(o.mountDeg).success) {
    invalid(`mountDeg is ${String(o.mountDeg)}`, 'use 0, 90, 180 or 270');
  }
  if (!Number.isFinite(o.altitudeDriftM)) invalid('altitudeDriftM is not a number', 'give metres, e.g. 15');
  if (!(Math.abs(o.bankDeg) <= MAX_BANK_DEG)) {
    invalid(`bankDeg is ${o.bankDeg}`, `give a roll from -${MAX_BANK_DEG} to ${MAX_BANK_DEG} degrees`);
  }
  const notPhotoNumber = o.bankedPhotos.find((n) => !Number.isInteger(n) || n < 1);
  if (notPhotoNumber !== undefined) {
    invalid(`bankedPhotos holds ${notPhotoNumber}`, 'number photos from 1, as in their file names');
  }
  return o;
}

/** Checks the banked photo numbers against how many photos the plan has. */
export function checkBankedPhotos(bankedPhotos: readonly number[], photoCount: number): void {
  const beyond = bankedPhotos.find((n) => n > photoCount);
  if (beyond !== undefined) {
    invalid(`bankedPhotos holds ${beyond} but the survey has ${photoCount} photos`, 'bank photos that exist');
  }
}

function invalid(reason: string, remedy: string): never {
  throw new AerialError('Aerial.InvalidInput', `invalid survey options: ${reason}`, remedy);
}
