import {
  AerialError,
  declaredOutput,
  type ImageRecord,
  ImageRecordSchema,
  type StageOutput,
  stageOutputKey,
  type StageSummary,
} from '@aerial/contracts';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { LocalFrame } from '../../geo/local-frame';
import { type ObjectStore, putJson, type StageContext, stageOutputs, type StageHandler } from '@aerial/runtime';
import { type CameraRegistration, cameraRegistrations } from './camera-registrations';
import { reconstruct } from './colmap-reconstruct';
import { COLMAP_INSTALL_HINT, colmapBinary, colmapVersion } from './colmap-runner';
import { type ColmapModel, parseColmapText } from './colmap-text-model';
import { alignToGps } from './gps-alignment';
import { readFootprintHeights, referenceAltitudes } from './reference-altitudes';
import { round } from '../../numbers/round';

export { referenceAltitudes } from './reference-altitudes';

/** Longest image side COLMAP extracts features at (COLMAP's own default is 3200). */
export const DEFAULT_SFM_IMAGE_SIZE = 1600;
const MAX_FEATURES = 4096;

/**
 * SfM: COLMAP feature extraction, GPS-guided spatial matching (not exhaustive: 5–7× faster on
 * surveys, FINDINGS.md), incremental mapping, then alignment to the photos' GPS in an ENU frame.
 * Writes the cameras and poses (ENU origin + WGS84), the sparse points as PLY, each image's
 * registration and reprojection error, and the TXT model for the stages after it.
 */
export const sfmStage: StageHandler = async (invocation, context) => {
  const binary = colmapBinary(context.config.COLMAP_BINARY);
  const version = colmapVersion(binary);
  if (!version)
    throw new AerialError(
      'Aerial.ToolMissing',
      'COLMAP is not installed on this machine (the SfM stage needs it)',
      COLMAP_INSTALL_HINT,
    );
  const { store, signal } = context;
  const { jobId } = invocation;
  const ingest = await stageOutputs(store, jobId, 'Ingest');
  const records = await ingest.json('image-records', z.array(ImageRecordSchema));
  const accepted = records.filter((r): r is ImageRecord & { key: string } => r.qa.accepted && !!r.key);
  if (accepted.length < 3)
    throw new AerialError('Aerial.QualityRejected', `SfM needs at least 3 accepted images, got ${accepted.length}`);

  const work = await mkdtemp(join(tmpdir(), `aerial-sfm-${jobId}-`));
  try {
    const nameOf = await fetchImages(store, accepted, join(work, 'images'), context);
    const total = accepted.length;
    const maxImageSize = context.request.options.maxImageSize ?? DEFAULT_SFM_IMAGE_SIZE;
    await reconstruct({
      workDir: work,
      images: total,
      maxImageSize,
      maxFeatures: MAX_FEATURES,
      matcher: 'spatial',
      signal,
      binary,
      progress: (percent, message) => context.progress(2 + percent * 0.9, message),
    });

    const withGps = [...nameOf].filter(([, r]) => r.gps);
    const altitudeOf = referenceAltitudes(
      withGps.map(([, r]) => r),
      await readFootprintHeights(store, jobId),
    );
    const { alignmentErrorM, analysis } = await alignToGps(
      work,
      withGps.map(([name, r]) => ({
        name,
        latitude: r.gps!.latitude,
        longitude: r.gps!.longitude,
        altitude: altitudeOf(r),
      })),
      signal,
      binary,
    );
    context.progress(95, 'writing the model');

    const model = parseColmapText(
      await readFile(join(work, 'txt', 'cameras.txt'), 'utf8'),
      await readFile(join(work, 'txt', 'images.txt'), 'utf8'),
      await readFile(join(work, 'txt', 'points3D.txt'), 'utf8'),
    );
    const meanReprojectionError = Number(/Mean reprojection error: ([\d.]+)px/.exec(analysis)?.[1] ?? Number.NaN);
    // COLMAP's ENU origin is the first reference image's position (with the altitude given it).
    const origin = { ...withGps[0]![1].gps!, altitude: altitudeOf(withGps[0]![1]) };
    const frame = new LocalFrame(origin.latitude, origin.longitude);
    const registration = cameraRegistrations(model, nameOf, frame, origin.altitude);
    const registeredCount = registration.filter((r) => r.registered).length;
    const outputs = await storeModel(store, jobId, work, {
      frame: 'ENU',
      origin: { latitude: origin.latitude, longitude: origin.longitude, altitude: origin.altitude ?? 0 },
      colmap: version,
      cameras: model.cameras,
      images: registration,
    });
    if (registeredCount < Math.min(3, total)) {
      throw new AerialError(
        'Aerial.QualityRejected',
        `SfM registered only ${registeredCount} of ${total} images`,
        'check overlap and image quality',
      );
    }
    const summary: StageSummary<'SfM'> = {
      colmap: version,
      registered: registeredCount,
      images: total,
      points: model.points.length,
      meanReprojectionErrorPx: round(meanReprojectionError, 4),
      gpsAlignmentErrorM: alignmentErrorM,
      maxImageSize,
    };
    return { outputs, summary };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
};

/** Copies the accepted originals into `dir`, numbered in order; returns each file's record by its name there. */
async function fetchImages(
  store: ObjectStore,
  accepted: readonly (ImageRecord & { key: string })[],
  dir: string,
  context: StageContext,
): Promise<Map<string, ImageRecord>> {
  await mkdir(dir);
  const nameOf = new Map<string, ImageRecord>();
  for (const [i, record] of accepted.entries()) {
    const name = `${String(i).padStart(4, '0')}-${basename(record.key)}`;
    nameOf.set(name, record);
    await pipeline(await store.getStream(record.key), createWriteStream(join(dir, name)));
    context.progress(2 * ((i + 1) / accepted.length), `fetched ${i + 1}/${accepted.length} images`);
  }
  return nameOf;
}

/** The cameras document: the ENU frame, COLMAP's cameras, and each image's registration. */
interface CamerasDocument {
  readonly frame: 'ENU';
  readonly origin: { latitude: number; longitude: number; altitude: number };
  readonly colmap: string;
  readonly cameras: ColmapModel['cameras'];
  readonly images: CameraRegistration[];
}

/** Stores the cameras, each image's registration, the sparse points (PLY) and the TXT model. */
async function storeModel(
  store: ObjectStore,
  jobId: string,
  work: string,
  cameras: CamerasDocument,
): Promise<StageOutput[]> {
  const camerasKey = stageOutputKey(jobId, 'SfM', 'cameras');
  const registrationKey = stageOutputKey(jobId, 'SfM', 'registration');
  const plyKey = stageOutputKey(jobId, 'SfM', 'sparse-model');
  const modelKey = stageOutputKey(jobId, 'SfM', 'colmap-model');
  const camerasInfo = await putJson(store, camerasKey, cameras);
  const registrationInfo = await putJson(
    store,
    registrationKey,
    cameras.images.map((r) => ({
      image: r.image,
      registered: r.registered,
      meanReprojectionErrorPx: 'meanReprojectionErrorPx' in r ? r.meanReprojectionErrorPx : undefined,
    })),
  );
  const plyInfo = await store.put(plyKey, await readFile(join(work, 'points.ply')), {
    contentType: 'application/x-ply',
  });
  // The model's three files sit together; the manifest names points3D.txt, readers its folder.
  const modelFolder = modelKey.slice(0, modelKey.lastIndexOf('/'));
  for (const file of ['cameras.txt', 'images.txt', 'points3D.txt']) {
    await store.put(`${modelFolder}/${file}`, await readFile(join(work, 'txt', file)), {
      contentType: 'text/plain',
    });
  }
  return [
    declaredOutput('SfM', 'cameras', { key: camerasKey, bytes: camerasInfo.bytes }),
    declaredOutput('SfM', 'sparse-model', { key: plyKey, bytes: plyInfo.bytes }),
    declaredOutput('SfM', 'registration', { key: registrationKey, bytes: registrationInfo.bytes }),
    declaredOutput('SfM', 'colmap-model', { key: modelKey, bytes: 0 }),
  ];
}
