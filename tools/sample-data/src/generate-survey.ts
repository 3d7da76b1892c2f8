import { type SurveyGroundTruth } from '@aerial/contracts';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cameraFor, groundSize, type SimCamera } from './camera';
import { footprintCorners, type CameraPose } from './camera-pose';
import { lawnmower } from './flight-plan';
import { offset } from './geodesy';
import { renderGround } from './ground-scene';
import { gaussian, seededRandom } from './random';
import { renderFrame } from './render-frame';
import { checkBankedPhotos, resolveSurveyOptions, type SurveyOptions } from './survey-options';
import { writePhoto } from './write-photo';

export const GENERATOR = 'aerial-sample-data 1';

/**
 * Renders a survey: farmland at a real place, flown in a lawnmower pattern, each frame a JPEG with
 * a drone's metadata (DJI-style unless told otherwise), plus the ground truth (true poses and
 * footprints) to check a pipeline against.
 */
export async function generateSurvey(options: SurveyOptions): Promise<SurveyGroundTruth> {
  const o = resolveSurveyOptions(options);
  const camera: SimCamera = cameraFor(o.cameraTags, o.widthPx, o.heightPx);
  const plan = lawnmower(camera, o);
  checkBankedPhotos(o.bankedPhotos, plan.length);
  const banked = new Set(o.bankedPhotos);
  const poses: CameraPose[] = plan.map((shot, index) => ({
    east: shot.east,
    north: shot.north,
    heightM: o.altitudeM,
    heading: shot.heading,
    travel: shot.travel,
    rollDeg: banked.has(index + 1) ? o.bankDeg : 0,
  }));
  const footprints = poses.map((pose) => footprintCorners(pose, camera));
  const [across, along] = groundSize(camera, o.altitudeM);
  const gsdM = across / camera.widthPx;
  // The ground must cover every frame, whatever its heading, and the far side of banked frames.
  // Nadir surveys keep the reach around each photo so that their scene stays as it was.
  const reach = Math.hypot(across, along) / 2 + 2;
  const corners = footprints.flat();
  const east0 = Math.min(...plan.map((p) => p.east - reach), ...corners.map(([e]) => e - 2));
  const east1 = Math.max(...plan.map((p) => p.east + reach), ...corners.map(([e]) => e + 2));
  const north0 = Math.min(...plan.map((p) => p.north - reach), ...corners.map(([, n]) => n - 2));
  const north1 = Math.max(...plan.map((p) => p.north + reach), ...corners.map(([, n]) => n + 2));
  const ground = renderGround(east0, north1, east1 - east0, north1 - north0, (gsdM * 2) / 3, o.seed);

  const random = seededRandom(o.seed * 7919);
  const imagesDir = join(o.outDir, 'images');
  await mkdir(imagesDir, { recursive: true });
  const start = Date.UTC(2026, 4, 14, 10, 30, 0);
  const photos: SurveyGroundTruth['photos'] = [];
  for (const [index, shot] of plan.entries()) {
    const pose = poses[index]!;
    const name = `AERIAL_${String(index + 1).padStart(4, '0')}.JPG`;
    const rgb = renderFrame(ground, camera, pose);
    // + 0 turns -0 (noise 0 times a negative deviate) into 0, which JSON keeps apart.
    const error = {
      eastM: gaussian(random) * o.gpsNoiseM + 0,
      northM: gaussian(random) * o.gpsNoiseM + 0,
      yawDeg: gaussian(random) * o.yawNoiseDeg + 0,
    };
    const [lon, lat] = offset(o.latitude, o.longitude, shot.east, shot.north);
    const [recLon, recLat] = offset(o.latitude, o.longitude, shot.east + error.eastM, shot.north + error.northM);
    const drift = plan.length > 1 ? (o.altitudeDriftM * index) / (plan.length - 1) : 0;
    const recordedAltitudeM = o.groundAltitudeM + o.altitudeM + drift;
    const jpeg = await writePhoto(
      rgb,
      camera,
      {
        latitude: recLat,
        longitude: recLon,
        altitudeM: recordedAltitudeM,
        relativeAltitudeM: o.altitudeM,
        yaw: shot.heading + error.yawDeg,
        flightYaw: shot.travel + error.yawDeg,
        rollDeg: pose.rollDeg,
        captureTime: new Date(start + index * 2000),
      },
      { xmp: o.xmp, cameraTags: o.cameraTags },
    );
    await writeFile(join(imagesDir, name), jpeg);
    const ring = footprints[index]!.map(([e, n]) => offset(o.latitude, o.longitude, e, n));
    photos.push({
      name,
      latitude: lat,
      longitude: lon,
      heightAboveGroundM: o.altitudeM,
      heading: shot.heading,
      travelDeg: shot.travel,
      line: shot.line,
      rollDeg: pose.rollDeg,
      pitchDeg: 0,
      footprint: { type: 'Polygon', coordinates: [[...ring, ring[0]!]] },
      recordedAltitudeM,
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
    mountDeg: o.mountDeg,
    xmp: o.xmp,
    cameraTags: o.cameraTags,
    altitudeDriftM: o.altitudeDriftM,
    photos,
    buildings: ground.buildings.map((b) => {
      const [longitude, latitude] = offset(o.latitude, o.longitude, b.east, b.north);
      return { ...b, longitude, latitude };
    }),
  };
  await writeFile(join(o.outDir, 'ground-truth.json'), `${JSON.stringify(truth, null, 2)}\n`);
  return truth;
}
