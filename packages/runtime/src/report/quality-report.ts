import {
  type FootprintRecord,
  FootprintRecordSchema,
  type ImageRecord,
  ImageRecordSchema,
  ImageRegistrationSchema,
  SfmRegistrationSchema,
  type PhotoThumbnail,
  PhotoThumbnailSchema,
  type QualityReport,
  type StageName,
  type StageSummary,
  stageOutputKey,
  summaryIfValid,
} from '@aerial/contracts';
import { z } from 'zod';
import { getJson, type ObjectStore } from '../object-store/object-store';
import { optionalStageOutputs, type StageOutputs } from '../stage-outputs';
import { coverageGrid, round } from './coverage-grid';
import { photoResiduals } from './registration-residuals';

export interface QualityReportOptions {
  /**
   * A preview of a rejected photo Ingest stored (one the Footprints stage left out), when the caller
   * can decode images (the pipeline can; the Hub cannot). Ingest's own previews are read as they are.
   */
  readonly thumbnail?: (record: ImageRecord & { key: string }) => Promise<Omit<PhotoThumbnail, 'image'> | undefined>;
}

/**
 * The job's quality report from whatever its stages wrote: a survey job gives the photos, camera,
 * flight, GSD, registration and coverage; a map job adds the mosaic and tiles, a 3D job the SfM
 * model and splats. Undefined before Ingest has recorded anything.
 */
export async function composeQualityReport(
  store: ObjectStore,
  jobId: string,
  options: QualityReportOptions = {},
): Promise<QualityReport | undefined> {
  // By key, not through Ingest's manifest: a dataset Ingest rejected has records and no manifest.
  const recordsKey = stageOutputKey(jobId, 'Ingest', 'image-records');
  if (!(await store.head(recordsKey))) return undefined;
  const records = z.array(ImageRecordSchema).parse(await getJson(store, recordsKey));
  const thumbnailsKey = stageOutputKey(jobId, 'Ingest', 'thumbnails');
  const thumbnails = (await store.head(thumbnailsKey))
    ? z.array(PhotoThumbnailSchema).parse(await getJson(store, thumbnailsKey))
    : [];

  const stages: StageName[] = ['Ingest'];
  const read = async <S extends StageName>(stage: S) => {
    const outputs = await optionalStageOutputs(store, jobId, stage);
    const summary = outputs ? summaryIfValid(stage, outputs.manifest.summary) : undefined;
    if (!outputs || !summary) return undefined;
    if (stage !== 'Ingest') stages.push(stage);
    return { outputs, summary };
  };
  await read('Ingest');
  const footprints = await read('Footprints');
  const sfm = await read('SfM');
  const mosaic = await read('Orthomosaic');
  const tiles = await read('Tiles');
  const splat = await read('Splat');
  const compress = await read('Compress');

  const rows = footprints ? await footprintRows(footprints.outputs) : [];
  const accepted = new Set(records.filter((r) => r.qa.accepted).map((r) => r.name));
  const placed = rows.filter((f) => accepted.has(f.image));
  const skipped = footprints?.summary.skipped ?? [];

  const previews = new Map(thumbnails.map(({ image, ...rest }) => [image, rest]));
  const rejected: QualityReport['rejected'] = [];
  for (const r of records) {
    const skip = skipped.find((s) => s.image === r.name);
    if (r.qa.accepted && !skip) continue;
    let thumbnail = previews.get(r.name);
    if (!thumbnail && r.key && options.thumbnail) thumbnail = await options.thumbnail({ ...r, key: r.key });
    rejected.push({
      image: r.name,
      stage: r.qa.accepted ? 'Footprints' : 'Ingest',
      reasons: r.qa.accepted && skip ? [{ code: skip.code, message: skip.reason }] : r.qa.reasons,
      thumbnail: thumbnail ?? null,
    });
  }

  const fs = footprints?.summary;
  return {
    version: 1,
    jobId,
    stages,
    photos: {
      files: records.length,
      accepted: records.length - rejected.length,
      rejected: rejected.length,
    },
    camera: cameraFacts(records),
    flight: {
      captured: capturedRange(records),
      heightAboveGroundM: fs?.heightAboveGroundM ?? null,
      heightSources: fs?.heightSources ?? {},
      forwardOverlap: fs?.forwardOverlap ?? null,
      sideOverlap: fs?.sideOverlap ?? null,
      bbox: fs ? (fs.bbox as [number, number, number, number]) : null,
    },
    gsd: fs
      ? {
          cm: fs.gsdCm,
          mosaicCm: mosaic?.summary.gsdCm ?? null,
          perPhoto: placed.map((f) => ({ image: f.image, gsdCm: f.gsdCm })),
        }
      : null,
    registration:
      fs && footprints
        ? await registrationFacts(footprints.outputs, fs, mosaic?.summary, sfm && (await sfmFacts(sfm)))
        : null,
    coverage: placed.length ? coverageOf(placed) : null,
    rejected,
    products: {
      orthomosaic: mosaic
        ? {
            widthPx: mosaic.summary.widthPx,
            heightPx: mosaic.summary.heightPx,
            gsdCm: mosaic.summary.gsdCm,
            bytes: mosaic.summary.bytes,
          }
        : null,
      tiles: tiles
        ? { tiles: tiles.summary.tiles, minZoom: tiles.summary.minZoom, maxZoom: tiles.summary.maxZoom }
        : null,
      splats: splat
        ? {
            splats: splat.summary.splats,
            trained: splat.summary.trained,
            sogBytes: compress?.summary.sogBytes ?? null,
          }
        : null,
    },
  };
}

async function footprintRows(outputs: StageOutputs<'Footprints'>): Promise<FootprintRecord[]> {
  return outputs.find('footprints') ? outputs.json('footprints', z.array(FootprintRecordSchema)) : [];
}

async function registrationFacts(
  outputs: StageOutputs<'Footprints'>,
  summary: StageSummary<'Footprints'>,
  mosaic: StageSummary<'Orthomosaic'> | undefined,
  sfm: NonNullable<QualityReport['registration']>['sfm'] | undefined,
): Promise<NonNullable<QualityReport['registration']>> {
  const registration = outputs.find('registration')
    ? await outputs.json('registration', ImageRegistrationSchema)
    : undefined;
  return {
    placedFrom: summary.placedFrom,
    pairs: summary.pairs,
    candidatePairs: summary.candidatePairs,
    rmsResidualPx: summary.rmsResidualPx,
    perPhoto: registration ? photoResiduals(registration) : [],
    mosaic: mosaic
      ? { placedFrom: mosaic.placedFrom, rmsResidualPx: mosaic.rmsResidualPx, yawFlagged: mosaic.yawFlagged }
      : null,
    sfm: sfm ?? null,
  };
}

/** The SfM model's figures and COLMAP's reprojection error per photo. */
async function sfmFacts(sfm: {
  readonly outputs: StageOutputs<'SfM'>;
  readonly summary: StageSummary<'SfM'>;
}): Promise<NonNullable<NonNullable<QualityReport['registration']>['sfm']>> {
  const { summary, outputs } = sfm;
  const perPhoto = outputs.find('registration') ? await outputs.json('registration', SfmRegistrationSchema) : [];
  return {
    registered: summary.registered,
    images: summary.images,
    points: summary.points,
    meanReprojectionErrorPx: summary.meanReprojectionErrorPx,
    gpsAlignmentErrorM: summary.gpsAlignmentErrorM,
    perPhoto: perPhoto.map((p) => ({
      image: p.image,
      registered: p.registered,
      reprojectionErrorPx: p.meanReprojectionErrorPx ?? null,
    })),
  };
}

function coverageOf(placed: readonly FootprintRecord[]): QualityReport['coverage'] {
  const rings = placed.map((f) => f.footprint.coordinates[0]!.map(([lon, lat]) => [lon, lat] as [number, number]));
  const grid = coverageGrid(rings);
  if (!grid) return null;
  return {
    footprints: placed.map((f, k) => ({
      image: f.image,
      ring: rings[k]!.map(([lon, lat]) => [round(lon, 8), round(lat, 8)] as [number, number]),
    })),
    grid,
  };
}

/** The camera of the first accepted photo, and how many photos came from another camera or size. */
function cameraFacts(records: readonly ImageRecord[]): QualityReport['camera'] {
  const first = records.find((r) => r.qa.accepted) ?? records.find((r) => r.width);
  if (!first) return null;
  const same = (r: ImageRecord) =>
    r.camera.make === first.camera.make &&
    r.camera.model === first.camera.model &&
    r.width === first.width &&
    r.height === first.height;
  const { make, model, focalLengthMm, focalLength35mm } = first.camera;
  return {
    ...(make ? { make } : {}),
    ...(model ? { model } : {}),
    ...(first.width ? { widthPx: first.width } : {}),
    ...(first.height ? { heightPx: first.height } : {}),
    ...(focalLengthMm ? { focalLengthMm } : {}),
    ...(focalLength35mm ? { focalLength35mm } : {}),
    otherCameras: records.filter((r) => r.width !== undefined && !same(r)).length,
  };
}

function capturedRange(records: readonly ImageRecord[]): [string, string] | null {
  const times = records.flatMap((r) => (r.qa.accepted && r.captureTime ? [r.captureTime] : [])).sort();
  return times.length ? [times[0]!, times.at(-1)!] : null;
}
