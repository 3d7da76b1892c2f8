import {
  AerialError,
  declaredOutput,
  type FootprintSkip,
  type ImageRecord,
  ImageRecordSchema,
  stageOutputKey,
} from '@aerial/contracts';
import { z } from 'zod';
import { type ObjectStore, putJson, stageOutputs, type StageHandler } from '@aerial/runtime';
import { footprintRows, placedFootprints } from './footprint-rows';
import { registrationOf } from './footprint-registration';
import { footprintsSummary } from './footprints-summary';
import { type PhotoToPlace, placePhotos } from './place-images';

/**
 * Footprints: where each accepted photo lies on the ground, measured from the photos themselves.
 * Overlapping photos are matched and placed together against GPS (see place-images.ts), so the
 * footprint, ground resolution, heading and height hold for any camera and any metadata: DJI's
 * XMP where present, EXIF GPS alone otherwise. Writes rows for the tile database, GeoJSON for
 * maps, and the registration (placements and matches) for the stages that render the photos.
 */
export const footprintsStage: StageHandler = async (invocation, context) => {
  const { store } = context;
  const { jobId } = invocation;
  const ingest = await stageOutputs(store, jobId, 'Ingest');
  const records = await ingest.json('image-records', z.array(ImageRecordSchema));
  const { photos, skipped } = photosToPlace(records, store);
  if (photos.length === 0)
    throw new AerialError('Aerial.QualityRejected', 'no accepted image has a GPS position', 'check the Ingest report');

  const placement = await placePhotos(photos, {
    flightHeightM: context.request.options.flightHeightM,
    signal: context.signal,
    onProgress: (fraction, message) => context.progress(fraction * 90, message),
  });
  for (const { index, code, reason } of placement.unplaced)
    skipped.push({ image: photos[index]!.record.name, code, reason });
  const placed = placedFootprints(photos, placement);
  if (placed.length === 0) {
    throw new AerialError(
      'Aerial.QualityRejected',
      `no footprint could be computed: ${skipped[0]?.reason ?? 'unknown'}`,
      'check that the photos overlap, or pass the flight height (--flight-height) and check the camera metadata',
    );
  }

  const rows = footprintRows(placed, placement);
  const registration = registrationOf(placement, photos, placed);
  const rowsKey = stageOutputKey(jobId, 'Footprints', 'footprints');
  const registrationKey = stageOutputKey(jobId, 'Footprints', 'registration');
  const geojsonKey = stageOutputKey(jobId, 'Footprints', 'footprints-geojson');
  const rowsInfo = await putJson(store, rowsKey, rows);
  const registrationInfo = await putJson(store, registrationKey, registration);
  const geojson = {
    type: 'FeatureCollection',
    features: rows.map(({ footprint, ...properties }) => ({ type: 'Feature', geometry: footprint, properties })),
  };
  const geoInfo = await store.put(geojsonKey, JSON.stringify(geojson), { contentType: 'application/geo+json' });
  context.progress(100, `${rows.length} footprints`);
  return {
    outputs: [
      declaredOutput('Footprints', 'footprints', { key: rowsKey, bytes: rowsInfo.bytes }),
      declaredOutput('Footprints', 'footprints-geojson', { key: geojsonKey, bytes: geoInfo.bytes }),
      declaredOutput('Footprints', 'registration', { key: registrationKey, bytes: registrationInfo.bytes }),
    ],
    summary: footprintsSummary(rows, placement, skipped),
  };
};

/** The accepted photos with a GPS position, and those left out because their original or size is missing. */
function photosToPlace(
  records: readonly ImageRecord[],
  store: ObjectStore,
): { photos: PhotoToPlace[]; skipped: FootprintSkip[] } {
  const skipped: FootprintSkip[] = [];
  const photos: PhotoToPlace[] = [];
  for (const record of records) {
    if (!record.qa.accepted || !record.gps) continue;
    if (!record.key || !record.width || !record.height) {
      skipped.push({ image: record.name, code: 'not-placed', reason: 'the stored photo or its size is missing' });
      continue;
    }
    const key = record.key;
    photos.push({
      record: { ...record, gps: record.gps },
      width: record.width,
      height: record.height,
      read: () => store.get(key),
    });
  }
  return { photos, skipped };
}
