import { type SurveyGroundTruth } from '@aerial/contracts';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { groundSize, simCamera, type SimCamera } from './camera';
import { lawnmower } from './flight-plan';
import { offset } from './geodesy';
import { renderGround } from './ground-scene';
import { gaussian, seededRandom } from './random';
import { renderFrame } from './render-frame';
import { writePhoto } from './write-photo';

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
  /** @default 1 */
  readonly seed?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

export const GENERATOR = 'aerial-sample-data 1';

/**
 * Renders a survey: farmland at a real place, flown in a lawnmower pattern, each frame a JPEG with
 * DJI-style metadata, plus the ground truth (true poses and footprints) to check a pipeline against.
 */
export async function generateSurvey(options: SurveyOptions): Promise<SurveyGroundTruth> {
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
    seed: 1,
    ...options,
  };
  const camera: SimCamera = simCamera(o.widthPx, o.heightPx);
  const plan = lawnmower(camera, o);
  const [across, along] = groundSize(camera, o.altitudeM);
  const gsdM = across / camera.widthPx;
  // The ground must cover every frame, whatever its heading; render it at 2/3 of the GSD.
  const reach = Math.hypot(across, along) / 2 + 2;
  const east0 = Math.min(...plan.map((p) => p.east)) - reach;
  const east1 = Math.max(...plan.map((p) => p.east)) + reach;
  const north0 = Math.min(...plan.map((p) => p.north)) - reach;
  const north1 = Math.max(...plan.map((p) => p.north)) + reach;
  const ground = renderGround(east0, north1, east1 - east0, north1 - north0, (gsdM * 2) / 3, o.seed);

  const random = seededRandom(o.seed * 7919);
  const imagesDir = join(o.outDir, 'images');
  await mkdir(imagesDir, { recursive: true });
  const start = Date.UTC(2026, 4, 14, 10, 30, 0);
  const photos: SurveyGroundTruth['photos'] = [];
  for (const [index, shot] of plan.entries()) {
    const name = `AERIAL_${String(index + 1).padStart(4, '0')}.JPG`;
    const rgb = renderFrame(ground, camera, shot.east, shot.north, o.altitudeM, shot.heading);
    // + 0 turns -0 (noise 0 times a negative deviate) into 0, which JSON keeps apart.
    const error = {
      eastM: gaussian(random) * o.gpsNoiseM + 0,
      northM: gaussian(random) * o.gpsNoiseM + 0,
      yawDeg: gaussian(random) * o.yawNoiseDeg + 0,
    };
    const [lon, lat] = offset(o.latitude, o.longitude, shot.east, shot.north);
    const [recLon, recLat] = offset(o.latitude, o.longitude, shot.east + error.eastM, shot.north + error.northM);
    const jpeg = await writePhoto(rgb, camera, {
      latitude: recLat,
      longitude: recLon,
      altitudeM: o.groundAltitudeM + o.altitudeM,
      relativeAltitudeM: o.altitudeM,
      yaw: shot.heading + error.yawDeg,
      captureTime: new Date(start + index * 2000),
    });
    await writeFile(join(imagesDir, name), jpeg);
    photos.push({
      name,
      latitude: lat,
      longitude: lon,
      heightAboveGroundM: o.altitudeM,
      heading: shot.heading,
      line: shot.line,
      footprint: {
        type: 'Polygon',
        coordinates: [footprintRing(o.latitude, o.longitude, shot.east, shot.north, shot.heading, across, along)],
      },
      recordedError: error,
    });
    o.onProgress?.(index + 1, plan.length);
  }
  const truth: SurveyGroundTruth = {
    generator: GENERATOR,
    seed: o.seed,
    camera: {
      make: camera.make,
      model: camera.model,
      widthPx: camera.widthPx,
      heightPx: camera.heightPx,
      focalLengthMm: camera.focalLengthMm,
      focalLength35mm: camera.focalLength35mm,
      sensorWidthMm: camera.sensorWidthMm,
      sensorHeightMm: camera.sensorHeightMm,
    },
    origin: { latitude: o.latitude, longitude: o.longitude, groundAltitudeM: o.groundAltitudeM },
    altitudeM: o.altitudeM,
    gsdCm: gsdM * 100,
    forwardOverlap: o.forwardOverlap,
    sideOverlap: o.sideOverlap,
    photos,
  };
  await writeFile(join(o.outDir, 'ground-truth.json'), `${JSON.stringify(truth, null, 2)}\n`);
  return truth;
}

/** Corners top-left, top-right, bottom-right, bottom-left, closed, as [lon, lat]. */
function footprintRing(
  lat0: number,
  lon0: number,
  east: number,
  north: number,
  heading: number,
  across: number,
  along: number,
): [number, number][] {
  const t = (heading * Math.PI) / 180;
  const corner = (x: number, y: number) =>
    offset(lat0, lon0, east + x * Math.cos(t) + y * Math.sin(t), north - x * Math.sin(t) + y * Math.cos(t));
  const ring = [
    corner(-across / 2, along / 2),
    corner(across / 2, along / 2),
    corner(across / 2, -along / 2),
    corner(-across / 2, -along / 2),
  ];
  return [...ring, ring[0]!];
}
