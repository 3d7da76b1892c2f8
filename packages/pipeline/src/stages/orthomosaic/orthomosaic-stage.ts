import {
  AerialError,
  type FootprintRecord,
  FootprintRecordSchema,
  ImageRecordSchema,
  keys,
  parseAtBoundary,
} from '@aerial/contracts';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { z } from 'zod';
import { LocalFrame, median } from '../../geo/local-frame';
import {
  groundResolution,
  mercatorResolution,
  TILE_SIZE,
  worldPixelToLonLat,
  worldPixelToMercator,
  zoomForGsd,
} from '../../geo/web-mercator';
import { getJson, putJson } from '../../object-store/object-store';
import { FOOTPRINTS_OUTPUTS } from '../footprints/footprints-stage';
import { INGEST_OUTPUTS } from '../ingest/ingest-stage';
import { SFM_OUTPUTS } from '../sfm/sfm-stage';
import { outputKey, readManifest, type StageHandler } from '../stage-runtime';
import { round } from '../tools/round';
import { openCogWriter } from './cog-writer-thread';
import { initialPlacement, type SfmCamera } from './initial-placement';
import { imageBounds, renderMosaic } from './mosaic-renderer';
import { registerImages } from './register-images';
import { rotationOf, type Similarity, scaleOf } from './similarity';

export const ORTHOMOSAIC_OUTPUTS = { cog: 'orthomosaic', preview: 'preview', placements: 'placements' } as const;

/** Recorded yaw that disagrees with the pixels by more than this is flagged in the report. */
const YAW_FLAG_DEG = 90;
/** Standard deviation of consumer drone GPS, metres. */
const GPS_SIGMA_M = 2;
/** The COG's tile size, pixels (the Tiles stage reads it in rows of these). */
export const COG_TILE = 512;
const PREVIEW_SIZE = 1024;
/** Decoded full-resolution images kept while rendering. */
const DEFAULT_CACHE_BYTES = 640 * 1024 * 1024;

const SfmCamerasSchema = z.object({
  origin: z.object({ latitude: z.number(), longitude: z.number() }),
  images: z.array(
    z.object({
      image: z.string(),
      registered: z.boolean(),
      centerEnu: z.array(z.number()).length(3).optional(),
      qvec: z.array(z.number()).length(4).optional(),
    }),
  ),
});

/** Where each image went, written beside the mosaic for reports, the Hub and accuracy checks. */
export interface PlacementRow {
  readonly image: string;
  readonly source: 'gps' | 'sfm';
  readonly registered: boolean;
  /** Recorded yaw minus the rotation the pixels gave, degrees. */
  readonly yawDisagreementDeg?: number;
  readonly yawFlagged: boolean;
  readonly gain: number;
  /** Image centre on the ground, [lon, lat]. */
  readonly center: [number, number];
  /** Heading of the image's top edge, degrees clockwise from north, after registration. */
  readonly headingDeg: number;
  /** World-pixel similarity at `zoom` (origin at the world's top-left). */
  readonly similarity: Similarity;
  readonly width: number;
  readonly height: number;
}

/**
 * Orthomosaic: place every accepted image from GPS and metadata (or the SfM poses when that stage
 * ran), refine the placement from the pixels, and blend the images into an RGBA Cloud Optimized
 * GeoTIFF in EPSG:3857 on the XYZ pixel grid of the zoom nearest the native GSD, so that map tiles
 * need no resampling at their finest zoom.
 */
export const orthomosaicStage: StageHandler = async (invocation, context) => {
  const { store, signal } = context;
  const { jobId } = invocation;
  const ingest = await readManifest(store, jobId, 'Ingest');
  const footprints = await readManifest(store, jobId, 'Footprints');
  const records = parseAtBoundary(
    z.array(ImageRecordSchema),
    await getJson(store, outputKey(ingest, INGEST_OUTPUTS.records)),
    'image records',
  );
  const rows = parseAtBoundary(
    z.array(FootprintRecordSchema),
    await getJson(store, outputKey(footprints, FOOTPRINTS_OUTPUTS.rows)),
    'footprints',
  );
  const sfm = await readSfmCameras(store, jobId);
  const byName = new Map(records.map((r) => [r.name, r]));
  const images = rows.flatMap((row) => {
    const record = byName.get(row.image);
    return record?.key && record.width && record.height
      ? [{ row, record, key: record.key, width: record.width, height: record.height }]
      : [];
  });
  if (images.length === 0)
    throw new AerialError(
      'Aerial.QualityRejected',
      'no image has a footprint to place in a mosaic',
      'check the Footprints report',
    );

  const latitude = median(images.map((i) => i.row.center[1]));
  const zoom = zoomForGsd(median(images.map((i) => i.row.gsdCm)) / 100, latitude);
  const pixelM = groundResolution(zoom, latitude);
  // Placements are relative to a provisional origin (world pixels at this zoom are ~1e9).
  const first = initialPlacement(images[0]!.record, images[0]!.row, zoom, [0, 0]);
  const provisional: [number, number] = [Math.floor(first.placement.tx), Math.floor(first.placement.ty)];
  const initial = images.map((i) =>
    initialPlacement(i.record, i.row, zoom, provisional, sfm?.cameraOf(i.record.name, i.row)),
  );

  const clock = stopwatch();
  context.progress(2, `registering ${images.length} images`);
  const registration = await registerImages(
    images.map((image, k) => ({
      width: image.width,
      height: image.height,
      initial: initial[k]!.placement,
      read: () => store.get(image.key),
    })),
    {
      gpsSigmaPx: (initial.every((i) => i.source === 'sfm') ? 0.3 : GPS_SIGMA_M) / pixelM,
      signal,
      onProgress: (fraction, message) => context.progress(2 + fraction * 38, message),
    },
  );

  const registerSeconds = clock();
  // The mosaic's top-left sits on a tile corner of the XYZ grid, so its pixels are the tiles' pixels.
  const bounds = images.map((image, k) =>
    imageBounds({ width: image.width, height: image.height, placement: registration.placements[k]!, gain: 1 }),
  );
  const left = Math.floor((provisional[0] + Math.min(...bounds.map((b) => b.x0))) / TILE_SIZE) * TILE_SIZE;
  const top = Math.floor((provisional[1] + Math.min(...bounds.map((b) => b.y0))) / TILE_SIZE) * TILE_SIZE;
  const right = Math.ceil(provisional[0] + Math.max(...bounds.map((b) => b.x1)));
  const bottom = Math.ceil(provisional[1] + Math.max(...bounds.map((b) => b.y1)));
  const width = right - left;
  const height = bottom - top;
  const shift = (t: Similarity, dx: number, dy: number): Similarity => ({ ...t, tx: t.tx + dx, ty: t.ty + dy });
  const inMosaic = registration.placements.map((t) => shift(t, provisional[0] - left, provisional[1] - top));

  const work = await mkdtemp(join(tmpdir(), 'aerial-mosaic-'));
  const [originX, originY] = worldPixelToMercator(left, top, zoom);
  const cog = openCogWriter({
    width,
    height,
    tileSize: COG_TILE,
    georeference: { epsg: 3857, originX, originY, pixelSize: mercatorResolution(zoom) },
    tempPath: join(work, 'level0.bin'),
  });
  try {
    const stats = await renderMosaic({
      width,
      height,
      tileSize: COG_TILE,
      images: images.map((image, k) => ({
        width: image.width,
        height: image.height,
        placement: inMosaic[k]!,
        gain: registration.gains[k]!,
      })),
      load: async (k) => {
        const { data, info } = await sharp(await store.get(images[k]!.key))
          .removeAlpha()
          .toColourspace('srgb')
          .raw()
          .toBuffer({ resolveWithObject: true });
        if (info.width !== images[k]!.width || info.height !== images[k]!.height)
          throw new AerialError(
            'Aerial.InvalidInput',
            `${images[k]!.record.name} decodes to ${info.width}×${info.height}, not the recorded ${images[k]!.width}×${images[k]!.height}`,
          );
        return {
          data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
          width: info.width,
          height: info.height,
        };
      },
      cacheBytes: DEFAULT_CACHE_BYTES,
      onTile: (column, row, rgba) => cog.addTile(column, row, rgba),
      onProgress: (done, total) => context.progress(40 + (done / total) * 50, `rendered ${done}/${total} mosaic tiles`),
      signal,
    });
    const renderSeconds = clock();
    context.progress(90, 'writing overviews');
    const cogPath = join(work, 'orthomosaic.tif');
    const written = await cog.finish(cogPath);
    const half = written.half;
    const previewScale = Math.min(1, PREVIEW_SIZE / Math.max(half.width, half.height));
    const prefix = keys.stage(jobId, 'Orthomosaic');
    const cogKey = `${prefix}/orthomosaic.tif`;
    const previewKey = `${prefix}/preview.png`;
    // The preview is made on libvips' threads while the COG is stored.
    const [cogInfo, previewInfo] = await Promise.all([
      store.put(cogKey, createReadStream(cogPath), {
        contentType: 'image/tiff; application=geotiff; profile=cloud-optimized',
        metadata: { job: jobId, product: 'orthomosaic' },
      }),
      sharp(Buffer.from(half.data.buffer, half.data.byteOffset, half.data.byteLength), {
        raw: { width: half.width, height: half.height, channels: 4 },
      })
        .resize(Math.max(1, Math.round(half.width * previewScale)), Math.max(1, Math.round(half.height * previewScale)))
        .png()
        .toBuffer()
        .then((preview) =>
          store.put(previewKey, preview, { contentType: 'image/png', metadata: { job: jobId, product: 'preview' } }),
        ),
    ]);

    const placements: PlacementRow[] = images.map((image, k) => {
      const t = shift(registration.placements[k]!, provisional[0], provisional[1]);
      const disagreement = registration.yawDisagreementDeg[k];
      return {
        image: image.record.name,
        source: initial[k]!.source,
        registered: registration.registered[k]!,
        ...(disagreement !== undefined ? { yawDisagreementDeg: round(disagreement, 2) } : {}),
        yawFlagged: disagreement !== undefined && Math.abs(disagreement) > YAW_FLAG_DEG,
        gain: round(registration.gains[k]!, 4),
        center: worldPixelToLonLat(t.tx, t.ty, zoom).map((v) => round(v, 8)) as [number, number],
        headingDeg: round(((rotationOf(t) * 180) / Math.PI + 360) % 360, 3),
        similarity: { a: t.a, b: t.b, tx: t.tx, ty: t.ty },
        width: image.width,
        height: image.height,
      };
    });
    const placementsKey = `${prefix}/placements.json`;
    const placementsInfo = await putJson(store, placementsKey, { zoom, placements });
    const [west, north] = worldPixelToLonLat(left, top, zoom);
    const [east, south] = worldPixelToLonLat(right, bottom, zoom);
    const flagged = placements.filter((p) => p.yawFlagged).map((p) => p.image);
    const cogBytes = (await stat(cogPath)).size;
    return {
      outputs: [
        {
          key: cogKey,
          contentType: 'image/tiff; application=geotiff; profile=cloud-optimized',
          bytes: cogInfo.bytes,
          role: ORTHOMOSAIC_OUTPUTS.cog,
        },
        { key: previewKey, contentType: 'image/png', bytes: previewInfo.bytes, role: ORTHOMOSAIC_OUTPUTS.preview },
        {
          key: placementsKey,
          contentType: 'application/json',
          bytes: placementsInfo.bytes,
          role: ORTHOMOSAIC_OUTPUTS.placements,
        },
      ],
      summary: {
        images: images.length,
        registered: placements.filter((p) => p.registered).length,
        placedFrom: initial.some((i) => i.source === 'sfm') ? 'sfm' : 'gps',
        pairs: registration.pairs,
        candidatePairs: registration.candidatePairs,
        rmsResidualPx: round(registration.rmsResidualPx, 3),
        yawFlagged: flagged,
        zoom,
        /** World pixel (at `zoom`) of the mosaic's top-left corner: a tile corner. */
        gridOrigin: [left, top],
        gsdCm: round(pixelM * 100, 3),
        widthPx: width,
        heightPx: height,
        overviews: written.overviews,
        bytes: cogBytes,
        crs: 'EPSG:3857',
        bbox: [west, south, east, north].map((v) => round(v, 8)),
        decodes: stats.decodes,
        seconds: { register: registerSeconds, render: renderSeconds, write: clock() },
        scaleMedian: round(median(registration.placements.map(scaleOf)), 5),
        centreShiftM: round(
          median(
            registration.placements.map((t, k) =>
              Math.hypot(t.tx - initial[k]!.placement.tx, t.ty - initial[k]!.placement.ty),
            ),
          ) * pixelM,
          3,
        ),
      },
    };
  } finally {
    await cog.close();
    await rm(work, { recursive: true, force: true });
  }
};

/** Seconds since the previous call (or creation), to two decimals. */
function stopwatch(): () => number {
  let last = performance.now();
  return () => {
    const now = performance.now();
    const seconds = round((now - last) / 1000, 2);
    last = now;
    return seconds;
  };
}

/**
 * The SfM cameras, when that stage ran, with the ground's height in its ENU frame: each camera's
 * height minus its height above ground (the recorded relative altitude), the median over all.
 */
async function readSfmCameras(
  store: Parameters<StageHandler>[1]['store'],
  jobId: string,
): Promise<{ cameraOf: (image: string, footprint: FootprintRecord) => SfmCamera | undefined } | undefined> {
  if (!(await store.head(keys.manifest(jobId, 'SfM')))) return undefined;
  const manifest = await readManifest(store, jobId, 'SfM');
  const doc = parseAtBoundary(
    SfmCamerasSchema,
    await getJson(store, outputKey(manifest, SFM_OUTPUTS.cameras)),
    'SfM cameras',
  );
  const frame = new LocalFrame(doc.origin.latitude, doc.origin.longitude);
  const byName = new Map(doc.images.map((c) => [c.image, c]));
  return {
    cameraOf: (image, footprint) => {
      const c = byName.get(image);
      return c?.registered && c.centerEnu && c.qvec
        ? {
            image,
            centerEnu: c.centerEnu as [number, number, number],
            qvec: c.qvec,
            frame,
            heightAboveGroundM: footprint.heightAboveGroundM,
          }
        : undefined;
    },
  };
}
