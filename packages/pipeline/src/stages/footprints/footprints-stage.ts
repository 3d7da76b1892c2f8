import {
  AerialError,
  type FootprintRecord,
  type ImageRecord,
  ImageRecordSchema,
  keys,
  parseAtBoundary,
} from '@aerial/contracts';
import { z } from 'zod';
import { LocalFrame, median } from '../../geo/local-frame';
import { getJson, putJson } from '../../object-store/object-store';
import { INGEST_OUTPUTS } from '../ingest/ingest-stage';
import { outputKey, readManifest, type StageHandler } from '../stage-runtime';
import { cameraIntrinsics } from './camera-intrinsics';
import { groundRectangle, type GroundRectangle, overlaps } from './footprint-geometry';
import { round } from '../tools/round';

export const FOOTPRINTS_OUTPUTS = { rows: 'footprints', geojson: 'footprints-geojson' } as const;

/**
 * Footprints: the ground each accepted image covers (nadir camera over flat ground at its height
 * above take-off), its GSD, and its forward and side overlap, as rows for the tile database and as
 * GeoJSON for maps.
 */
export const footprintsStage: StageHandler = async (invocation, context) => {
  const { store } = context;
  const ingest = await readManifest(store, invocation.jobId, 'Ingest');
  const records = parseAtBoundary(
    z.array(ImageRecordSchema),
    await getJson(store, outputKey(ingest, INGEST_OUTPUTS.records)),
    'image records',
  );
  const accepted = records.filter((r) => r.qa.accepted && r.gps);
  if (accepted.length === 0)
    throw new AerialError('Aerial.QualityRejected', 'no accepted image has a GPS position', 'check the Ingest report');

  const frame = LocalFrame.around(accepted.map((r) => r.gps!));
  const ground = groundAltitude(accepted);
  const skipped: { image: string; reason: string }[] = [];
  const placed: {
    record: ImageRecord;
    rect: GroundRectangle;
    height: { metres: number; source: FootprintRecord['heightSource'] };
  }[] = [];
  for (const record of accepted) {
    const camera = cameraIntrinsics(record);
    if (typeof camera === 'string') {
      skipped.push({ image: record.name, reason: camera });
      continue;
    }
    const height = heightAboveGround(record, ground);
    if (!height) {
      skipped.push({
        image: record.name,
        reason: 'no relative altitude, and no other image gives the ground altitude',
      });
      continue;
    }
    const heading = record.gimbal?.yaw ?? record.flight?.yaw ?? 0;
    const rect = groundRectangle(
      frame.toLocal(record.gps!.latitude, record.gps!.longitude),
      height.metres,
      heading,
      camera,
    );
    placed.push({ record, rect, height });
    context.progress((placed.length / accepted.length) * 80);
  }
  if (placed.length === 0) {
    throw new AerialError(
      'Aerial.QualityRejected',
      `no footprint could be computed: ${skipped[0]?.reason ?? 'unknown'}`,
      'check the camera metadata',
    );
  }

  const overlap = overlaps(placed.map((p) => p.rect));
  const rows: FootprintRecord[] = placed.map(({ record, rect, height }, i) => {
    const ring = [...rect.corners, rect.corners[0]!].map(([e, n]) => roundLonLat(frame.toLonLat(e, n)));
    return {
      image: record.name,
      footprint: { type: 'Polygon', coordinates: [ring] },
      center: roundLonLat(frame.toLonLat(...rect.center)),
      gsdCm: round(rect.gsdM * 100, 4),
      widthM: round(rect.widthM, 3),
      heightM: round(rect.heightM, 3),
      heightAboveGroundM: round(height.metres, 3),
      heightSource: height.source,
      ...(overlap[i]!.forward !== undefined ? { forwardOverlap: round(overlap[i]!.forward!, 4) } : {}),
      ...(overlap[i]!.side !== undefined ? { sideOverlap: round(overlap[i]!.side!, 4) } : {}),
    };
  });

  const prefix = keys.stage(invocation.jobId, 'Footprints');
  const rowsInfo = await putJson(store, `${prefix}/footprints.json`, rows);
  const geojson = {
    type: 'FeatureCollection',
    features: rows.map(({ footprint, ...properties }) => ({ type: 'Feature', geometry: footprint, properties })),
  };
  const geoInfo = await store.put(`${prefix}/footprints.geojson`, JSON.stringify(geojson), {
    contentType: 'application/geo+json',
  });
  const values = (pick: (r: FootprintRecord) => number | undefined) =>
    rows.map(pick).filter((v): v is number => v !== undefined);
  const lons = rows.flatMap((r) => r.footprint.coordinates[0]!.map((c) => c[0]));
  const lats = rows.flatMap((r) => r.footprint.coordinates[0]!.map((c) => c[1]));
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
    ],
    summary: {
      images: rows.length,
      skipped,
      gsdCm: {
        median: round(median(values((r) => r.gsdCm)), 3),
        min: round(Math.min(...values((r) => r.gsdCm)), 3),
        max: round(Math.max(...values((r) => r.gsdCm)), 3),
      },
      forwardOverlap: summarize(values((r) => r.forwardOverlap)),
      sideOverlap: summarize(values((r) => r.sideOverlap)),
      bbox: [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)].map((v) => round(v, 7)),
    },
  };
};

/** Ground altitude under the flight, from images that carry both GPS altitude and relative altitude. */
function groundAltitude(records: readonly ImageRecord[]): number | undefined {
  const samples = records
    .filter((r) => r.gps?.altitude !== undefined && r.relativeAltitude !== undefined)
    .map((r) => r.gps!.altitude! - r.relativeAltitude!);
  return samples.length ? median(samples) : undefined;
}

function heightAboveGround(
  record: ImageRecord,
  ground: number | undefined,
): { metres: number; source: FootprintRecord['heightSource'] } | undefined {
  if (record.relativeAltitude !== undefined && record.relativeAltitude > 0)
    return { metres: record.relativeAltitude, source: 'relative-altitude' };
  if (record.gps?.altitude !== undefined && ground !== undefined && record.gps.altitude - ground > 0) {
    return { metres: record.gps.altitude - ground, source: 'gps-altitude-minus-ground' };
  }
  return undefined;
}

function summarize(values: number[]): { median: number; min: number; max: number } | null {
  if (values.length === 0) return null;
  return { median: round(median(values), 4), min: round(Math.min(...values), 4), max: round(Math.max(...values), 4) };
}

function roundLonLat([lon, lat]: [number, number]): [number, number] {
  return [round(lon, 8), round(lat, 8)];
}
