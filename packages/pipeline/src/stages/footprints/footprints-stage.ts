import {
  AerialError,
  type FootprintRecord,
  type FootprintSkip,
  type FootprintsSummary,
  FootprintsSummarySchema,
  type ImageRegistration,
  ImageRecordSchema,
  keys,
  parseAtBoundary,
} from '@aerial/contracts';
import { z } from 'zod';
import { median } from '../../geo/local-frame';
import { getJson, putJson } from '@aerial/runtime';
import { INGEST_OUTPUTS } from '../ingest/ingest-stage';
import { outputKey, readManifest, type StageHandler } from '@aerial/runtime';
import { apply } from '../orthomosaic/similarity';
import { type GroundRectangle, overlaps } from './footprint-geometry';
import { type PhotoPlacement, type PhotoToPlace, type PlacedPhoto, placePhotos } from './place-images';
import { round } from '../../numbers/round';

export const FOOTPRINTS_OUTPUTS = {
  rows: 'footprints',
  geojson: 'footprints-geojson',
  registration: 'registration',
} as const;

/**
 * Footprints: where each accepted photo lies on the ground, measured from the photos themselves.
 * Overlapping photos are matched and placed together against GPS (see place-images.ts), so the
 * footprint, ground resolution, heading and height hold for any camera and any metadata: DJI's
 * XMP where present, EXIF GPS alone otherwise. Writes rows for the tile database, GeoJSON for
 * maps, and the registration (placements and matches) for the stages that render the photos.
 */
export const footprintsStage: StageHandler = async (invocation, context) => {
  const { store } = context;
  const ingest = await readManifest(store, invocation.jobId, 'Ingest');
  const records = parseAtBoundary(
    z.array(ImageRecordSchema),
    await getJson(store, outputKey(ingest, INGEST_OUTPUTS.records)),
    'image records',
  );
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
  if (photos.length === 0)
    throw new AerialError('Aerial.QualityRejected', 'no accepted image has a GPS position', 'check the Ingest report');

  const placement = await placePhotos(photos, {
    flightHeightM: context.request.options.flightHeightM,
    signal: context.signal,
    onProgress: (fraction, message) => context.progress(fraction * 90, message),
  });
  for (const { index, code, reason } of placement.unplaced)
    skipped.push({ image: photos[index]!.record.name, code, reason });
  const placed = photos.flatMap((photo, k) => {
    const p = placement.photos[k];
    return p ? [{ photo, placed: p, rect: groundRectangleOf(photo, p, placement.unitM) }] : [];
  });
  if (placed.length === 0) {
    throw new AerialError(
      'Aerial.QualityRejected',
      `no footprint could be computed: ${skipped[0]?.reason ?? 'unknown'}`,
      'check that the photos overlap, or pass the flight height (--flight-height) and check the camera metadata',
    );
  }

  const { frame, unitM } = placement;
  const overlap = overlaps(placed.map((p) => p.rect));
  const rows: FootprintRecord[] = placed.map(({ photo, placed: p, rect }, i) => {
    const ring = [...rect.corners, rect.corners[0]!].map(([e, n]) => roundLonLat(frame.toLonLat(e, n)));
    return {
      image: photo.record.name,
      footprint: { type: 'Polygon', coordinates: [ring] },
      center: roundLonLat(frame.toLonLat(...rect.center)),
      gsdCm: round(rect.gsdM * 100, 4),
      widthM: round(rect.widthM, 3),
      heightM: round(rect.heightM, 3),
      ...(p.heightM !== undefined ? { heightAboveGroundM: round(p.heightM, 3) } : {}),
      heightSource: p.heightSource,
      headingDeg: round(p.headingDeg, 3) % 360,
      headingSource: p.headingSource,
      registered: p.registered,
      ...(p.tiltDeg !== undefined ? { tiltDeg: round(p.tiltDeg, 2) } : {}),
      ...(overlap[i]!.forward !== undefined ? { forwardOverlap: round(overlap[i]!.forward!, 4) } : {}),
      ...(overlap[i]!.side !== undefined ? { sideOverlap: round(overlap[i]!.side!, 4) } : {}),
    };
  });

  const prefix = keys.stage(invocation.jobId, 'Footprints');
  const registration: ImageRegistration = {
    origin: { latitude: frame.originLat, longitude: frame.originLon },
    unitM,
    images: placed.map(({ photo, placed: p }) => ({
      image: photo.record.name,
      width: photo.width,
      height: photo.height,
      placement: p.placement,
      registered: p.registered,
      gain: round(p.gain, 5),
      ...(p.yawDisagreementDeg !== undefined ? { yawDisagreementDeg: round(p.yawDisagreementDeg, 3) } : {}),
    })),
    pairs: pairRecords(
      placement,
      photos,
      placed.map(({ photo }) => photo),
    ),
    candidatePairs: placement.candidatePairs,
    rmsResidualPx: round(placement.rmsResidualPx, 4),
  };
  const rowsInfo = await putJson(store, `${prefix}/footprints.json`, rows);
  const registrationInfo = await putJson(store, `${prefix}/registration.json`, registration);
  const geojson = {
    type: 'FeatureCollection',
    features: rows.map(({ footprint, ...properties }) => ({ type: 'Feature', geometry: footprint, properties })),
  };
  const geoInfo = await store.put(`${prefix}/footprints.geojson`, JSON.stringify(geojson), {
    contentType: 'application/geo+json',
  });
  context.progress(100, `${rows.length} footprints`);
  const values = (pick: (r: FootprintRecord) => number | undefined) =>
    rows.map(pick).filter((v): v is number => v !== undefined);
  const lons = rows.flatMap((r) => r.footprint.coordinates[0]!.map((c) => c[0]));
  const lats = rows.flatMap((r) => r.footprint.coordinates[0]!.map((c) => c[1]));
  const heights = values((r) => r.heightAboveGroundM);
  return {
    outputs: [
      {
        key: `${prefix}/footprints.json`,
        contentType: 'application/json',
        bytes: rowsInfo.bytes,
        role: FOOTPRINTS_OUTPUTS.rows,
      },
      {
        key: `${prefix}/footprints.geojson`,
        contentType: 'application/geo+json',
        bytes: geoInfo.bytes,
        role: FOOTPRINTS_OUTPUTS.geojson,
      },
      {
        key: `${prefix}/registration.json`,
        contentType: 'application/json',
        bytes: registrationInfo.bytes,
        role: FOOTPRINTS_OUTPUTS.registration,
      },
    ],
    summary: FootprintsSummarySchema.parse({
      images: rows.length,
      registered: rows.filter((r) => r.registered).length,
      placedFrom: placement.method,
      pairs: placement.pairs.length,
      candidatePairs: placement.candidatePairs,
      rmsResidualPx: round(placement.rmsResidualPx, 3),
      ...(placement.mountDeg !== undefined ? { cameraMountDeg: round(placement.mountDeg, 1) } : {}),
      skipped,
      gsdCm: {
        median: round(median(values((r) => r.gsdCm)), 3),
        min: round(Math.min(...values((r) => r.gsdCm)), 3),
        max: round(Math.max(...values((r) => r.gsdCm)), 3),
      },
      heightAboveGroundM: summarize(heights),
      heightSources: countBy(rows.map((r) => r.heightSource)),
      forwardOverlap: summarize(values((r) => r.forwardOverlap)),
      sideOverlap: summarize(values((r) => r.sideOverlap)),
      bbox: [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)].map((v) => round(v, 7)),
    } satisfies FootprintsSummary),
  };
};

/** The photo's ground rectangle in the local frame (east/north metres) from its placement. */
function groundRectangleOf(photo: PhotoToPlace, placed: PlacedPhoto, unitM: number): GroundRectangle {
  const corner = (u: number, v: number): [number, number] => {
    const [x, y] = apply(placed.placement, u, v);
    return [x * unitM, -y * unitM];
  };
  const w = photo.width / 2;
  const h = photo.height / 2;
  return {
    center: corner(0, 0),
    widthM: placed.gsdM * photo.width,
    heightM: placed.gsdM * photo.height,
    headingDeg: placed.headingDeg,
    corners: [corner(-w, -h), corner(w, -h), corner(w, h), corner(-w, h)],
    gsdM: placed.gsdM,
  };
}

/**
 * Matches between placed photos for the Orthomosaic's adjustment, a few dozen points each (what
 * the adjustment uses), in full-resolution pixels, indexed by the placed photos' order.
 */
function pairRecords(
  placement: PhotoPlacement,
  photos: readonly PhotoToPlace[],
  placedPhotos: readonly PhotoToPlace[],
): ImageRegistration['pairs'] {
  const index = new Map(placedPhotos.map((p, m) => [p, m]));
  return placement.pairs.flatMap((pair) => {
    const i = index.get(photos[pair.i]!);
    const j = index.get(photos[pair.j]!);
    if (i === undefined || j === undefined) return [];
    const si = placement.workingScales[pair.i]!;
    const sj = placement.workingScales[pair.j]!;
    const total = pair.pointsI.length / 2;
    const step = Math.max(1, total / PAIR_POINTS);
    const pointsI: number[] = [];
    const pointsJ: number[] = [];
    for (let f = 0; f < total; f += step) {
      const k = Math.floor(f);
      pointsI.push(
        round((pair.pointsI[2 * k]! + 0.5) / si - 0.5, 2),
        round((pair.pointsI[2 * k + 1]! + 0.5) / si - 0.5, 2),
      );
      pointsJ.push(
        round((pair.pointsJ[2 * k]! + 0.5) / sj - 0.5, 2),
        round((pair.pointsJ[2 * k + 1]! + 0.5) / sj - 0.5, 2),
      );
    }
    return [{ i, j, matches: pair.matches, rotationRad: round(pair.rotationRad, 6), pointsI, pointsJ }];
  });
}

/** Matched points kept per pair: the adjustment uses 60, evenly spread. */
const PAIR_POINTS = 60;

function countBy(values: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

function summarize(values: number[]): { median: number; min: number; max: number } | null {
  if (values.length === 0) return null;
  return { median: round(median(values), 4), min: round(Math.min(...values), 4), max: round(Math.max(...values), 4) };
}

function roundLonLat([lon, lat]: [number, number]): [number, number] {
  return [round(lon, 8), round(lat, 8)];
}
