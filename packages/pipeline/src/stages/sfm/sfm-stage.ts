import {
  AerialError,
  FootprintRecordSchema,
  type ImageRecord,
  ImageRecordSchema,
  keys,
  parseAtBoundary,
} from '@aerial/contracts';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { LocalFrame, median } from '../../geo/local-frame';
import { getJson, type ObjectStore, putJson } from '@aerial/runtime';
import { FOOTPRINTS_OUTPUTS } from '../footprints/footprints-stage';
import { INGEST_OUTPUTS } from '../ingest/ingest-stage';
import { outputKey, readManifest, type StageHandler } from '@aerial/runtime';
import { reconstruct } from './colmap-reconstruct';
import { COLMAP_INSTALL_HINT, colmapBinary, colmapVersion, runColmap } from './colmap-runner';
import { cameraCenter, parseColmapText, reprojectionErrorByImage } from './colmap-text-model';
import { round } from '../tools/round';
import { heightsAboveSparseGround } from './sparse-ground';

export const SFM_OUTPUTS = {
  cameras: 'cameras',
  points: 'sparse-model',
  registration: 'registration',
  model: 'colmap-model',
} as const;
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
  const ingest = await readManifest(store, invocation.jobId, 'Ingest');
  const records = parseAtBoundary(
    z.array(ImageRecordSchema),
    await getJson(store, outputKey(ingest, INGEST_OUTPUTS.records)),
    'image records',
  );
  const accepted = records.filter((r): r is ImageRecord & { key: string } => r.qa.accepted && !!r.key);
  if (accepted.length < 3)
    throw new AerialError('Aerial.QualityRejected', `SfM needs at least 3 accepted images, got ${accepted.length}`);

  const work = await mkdtemp(join(tmpdir(), `aerial-sfm-${invocation.jobId}-`));
  try {
    const images = join(work, 'images');
    await mkdir(images);
    const nameOf = new Map<string, ImageRecord>();
    for (const [i, record] of accepted.entries()) {
      const name = `${String(i).padStart(4, '0')}-${basename(record.key)}`;
      nameOf.set(name, record);
      await pipeline(await store.getStream(record.key), createWriteStream(join(images, name)));
      context.progress(2 * ((i + 1) / accepted.length), `fetched ${i + 1}/${accepted.length} images`);
    }
    const total = accepted.length;
    await reconstruct({
      workDir: work,
      images: total,
      maxImageSize: context.request.options.maxImageSize ?? DEFAULT_SFM_IMAGE_SIZE,
      maxFeatures: MAX_FEATURES,
      matcher: 'spatial',
      signal,
      binary,
      progress: (percent, message) => context.progress(2 + percent * 0.9, message),
    });

    const withGps = [...nameOf].filter(([, r]) => r.gps);
    const altitudeOf = referenceAltitudes(
      withGps.map(([, r]) => r),
      await readFootprintHeights(store, invocation.jobId),
    );
    await writeFile(
      join(work, 'gps.txt'),
      withGps.map(([name, r]) => `${name} ${r.gps!.latitude} ${r.gps!.longitude} ${altitudeOf(r)}`).join('\n'),
    );
    await mkdir(join(work, 'aligned'));
    const aligned = await runColmap(
      'model_aligner',
      [
        '--input_path',
        'sparse/0',
        '--output_path',
        'aligned',
        '--ref_images_path',
        'gps.txt',
        '--ref_is_gps',
        '1',
        '--alignment_type',
        'enu',
        '--robust_alignment',
        '1',
        '--robust_alignment_max_error',
        '3',
      ],
      { cwd: work, signal, binary },
    ).catch((e: unknown) => {
      throw new AerialError(
        'Aerial.QualityRejected',
        `the reconstruction could not be aligned to GPS: ${(e as Error).message}`,
      );
    });
    const alignment = /Alignment error: ([\d.]+) \(mean\), ([\d.]+) \(median\)/.exec(aligned);
    await mkdir(join(work, 'txt'));
    await runColmap('model_converter', ['--input_path', 'aligned', '--output_path', 'txt', '--output_type', 'TXT'], {
      cwd: work,
      signal,
      binary,
    });
    await runColmap(
      'model_converter',
      ['--input_path', 'aligned', '--output_path', 'points.ply', '--output_type', 'PLY'],
      { cwd: work, signal, binary },
    );
    const analysis = await runColmap('model_analyzer', ['--path', 'aligned'], { cwd: work, signal, binary });
    context.progress(95, 'writing the model');

    const model = parseColmapText(
      await readFile(join(work, 'txt', 'cameras.txt'), 'utf8'),
      await readFile(join(work, 'txt', 'images.txt'), 'utf8'),
      await readFile(join(work, 'txt', 'points3D.txt'), 'utf8'),
    );
    const meanReprojectionError = Number(/Mean reprojection error: ([\d.]+)px/.exec(analysis)?.[1] ?? Number.NaN);
    const errors = reprojectionErrorByImage(model);
    // COLMAP's ENU origin is the first reference image's position (with the altitude given it).
    const origin = { ...withGps[0]![1].gps!, altitude: altitudeOf(withGps[0]![1]) };
    const frame = new LocalFrame(origin.latitude, origin.longitude);
    const registered = new Map(model.images.map((im) => [im.name, im]));
    const centres = new Map(model.images.map((im) => [im.name, cameraCenter(im.qvec, im.tvec)]));
    // The sparse points give each camera's height above the ground, and COLMAP's refined focal
    // length its scale: what photos with no relative altitude and an unknown camera lack.
    const heights = heightsAboveSparseGround(
      [...centres.values()],
      model.points.map((p) => p.xyz),
    );
    const heightOf = new Map([...centres.keys()].map((name, k) => [name, heights[k]]));
    const cameraById = new Map(model.cameras.map((c) => [c.id, c]));
    const registration = [...nameOf].map(([name, record]) => {
      const im = registered.get(name);
      if (!im) return { image: record.name, registered: false };
      const [e, n, u] = centres.get(name)!;
      const [lon, lat] = frame.toLonLat(e, n);
      const camera = cameraById.get(im.cameraId);
      const height = heightOf.get(name);
      return {
        image: record.name,
        registered: true,
        ...(height !== undefined ? { heightAboveGroundM: round(height, 3) } : {}),
        ...(camera && record.width && camera.params[0]
          ? { focalPx: round((camera.params[0] * record.width) / camera.width, 2) }
          : {}),
        centerEnu: [e, n, u].map((v) => round(v, 4)),
        centerWgs84: [round(lon, 8), round(lat, 8), round((origin.altitude ?? 0) + u, 3)],
        qvec: im.qvec,
        tvec: im.tvec,
        observations: im.observations,
        meanReprojectionErrorPx: round(errors.get(im.id) ?? Number.NaN, 4),
      };
    });
    const registeredCount = registration.filter((r) => r.registered).length;
    const prefix = keys.stage(invocation.jobId, 'SfM');
    const camerasDoc = {
      frame: 'ENU',
      origin: { latitude: origin.latitude, longitude: origin.longitude, altitude: origin.altitude ?? 0 },
      colmap: version,
      cameras: model.cameras,
      images: registration,
    };
    const camerasInfo = await putJson(store, `${prefix}/cameras.json`, camerasDoc);
    const registrationInfo = await putJson(
      store,
      `${prefix}/registration.json`,
      registration.map((r) => ({
        image: r.image,
        registered: r.registered,
        meanReprojectionErrorPx: 'meanReprojectionErrorPx' in r ? r.meanReprojectionErrorPx : undefined,
      })),
    );
    const plyInfo = await store.put(`${prefix}/sparse.ply`, await readFile(join(work, 'points.ply')), {
      contentType: 'application/x-ply',
    });
    for (const file of ['cameras.txt', 'images.txt', 'points3D.txt']) {
      await store.put(`${prefix}/model/${file}`, await readFile(join(work, 'txt', file)), {
        contentType: 'text/plain',
      });
    }
    if (registeredCount < Math.min(3, total)) {
      throw new AerialError(
        'Aerial.QualityRejected',
        `SfM registered only ${registeredCount} of ${total} images`,
        'check overlap and image quality',
      );
    }
    return {
      outputs: [
        {
          key: `${prefix}/cameras.json`,
          contentType: 'application/json',
          bytes: camerasInfo.bytes,
          role: SFM_OUTPUTS.cameras,
        },
        {
          key: `${prefix}/sparse.ply`,
          contentType: 'application/x-ply',
          bytes: plyInfo.bytes,
          role: SFM_OUTPUTS.points,
        },
        {
          key: `${prefix}/registration.json`,
          contentType: 'application/json',
          bytes: registrationInfo.bytes,
          role: SFM_OUTPUTS.registration,
        },
        { key: `${prefix}/model/points3D.txt`, contentType: 'text/plain', bytes: 0, role: SFM_OUTPUTS.model },
      ],
      summary: {
        colmap: version,
        registered: registeredCount,
        images: total,
        points: model.points.length,
        meanReprojectionErrorPx: round(meanReprojectionError, 4),
        gpsAlignmentErrorM: alignment ? { mean: Number(alignment[1]), median: Number(alignment[2]) } : null,
        maxImageSize: context.request.options.maxImageSize ?? DEFAULT_SFM_IMAGE_SIZE,
      },
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
};

/**
 * The altitude each photo's camera is aligned to. GPS altitude drifts (by ~100 m over the Caliterra
 * flight, FINDINGS.md) and misaligns the model by tens of metres; where the Footprints stage knows
 * most photos' height above the ground, the reference is one ground altitude plus that height
 * (the ground: the median of GPS altitude minus height, so altitudes stay near the GPS datum); a
 * photo without a height takes the median one. With fewer than half the heights known, GPS altitude.
 */
export function referenceAltitudes(
  records: readonly ImageRecord[],
  heights: ReadonlyMap<string, number>,
): (record: ImageRecord) => number {
  const known = records.filter((r) => heights.has(r.name));
  // Photos Footprints left out (banked, unplaced) fly about as high as the others: the median.
  if (known.length > 0 && known.length * 2 >= records.length) {
    const offsets = known.map((r) => (r.gps?.altitude ?? 0) - heights.get(r.name)!);
    const ground = median(offsets);
    const typical = median(known.map((r) => heights.get(r.name)!));
    return (r) => round(ground + (heights.get(r.name) ?? typical), 3);
  }
  return (r) => r.gps?.altitude ?? r.relativeAltitude ?? 0;
}

/** Each photo's height above ground as Footprints found it, when that stage ran. */
async function readFootprintHeights(store: ObjectStore, jobId: string): Promise<Map<string, number>> {
  if (!(await store.head(keys.manifest(jobId, 'Footprints')))) return new Map();
  const manifest = await readManifest(store, jobId, 'Footprints');
  const rows = parseAtBoundary(
    z.array(FootprintRecordSchema),
    await getJson(store, outputKey(manifest, FOOTPRINTS_OUTPUTS.rows)),
    'footprints',
  );
  return new Map(rows.flatMap((r) => (r.heightAboveGroundM !== undefined ? [[r.image, r.heightAboveGroundM]] : [])));
}
