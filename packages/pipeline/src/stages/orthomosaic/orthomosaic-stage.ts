import {
  AerialError,
  FootprintRecordSchema,
  ImageRegistrationSchema,
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
import { zoomForGsd } from '../../geo/web-mercator';
import { getJson, putJson } from '@aerial/runtime';
import { FOOTPRINTS_OUTPUTS } from '../footprints/footprints-stage';
import { INGEST_OUTPUTS } from '../ingest/ingest-stage';
import { outputKey, readManifest, type StageHandler } from '@aerial/runtime';
import { round } from '../../numbers/round';
import { openCogWriter } from './cog-writer-thread';
import { checkExtent, cornersOf, mosaicGrid, toProjectedSimilarity } from './mosaic-grid';
import { renderMosaic } from './mosaic-renderer';
import { adjustToSfm, readSfmCameras, SFM_MAX_DISAGREEMENT_M } from './sfm-cameras';
import { rotationOf, type Similarity, scaleOf } from './similarity';

export const ORTHOMOSAIC_OUTPUTS = { cog: 'orthomosaic', preview: 'preview', placements: 'placements' } as const;

/** Recorded yaw that disagrees with the pixels by more than this is flagged in the report. */
const YAW_FLAG_DEG = 90;
/** The COG's tile size, pixels (the Tiles stage reads it in rows of these). */
export const COG_TILE = 512;
const PREVIEW_SIZE = 1024;
/** Decoded full-resolution images kept while rendering. */
const DEFAULT_CACHE_BYTES = 640 * 1024 * 1024;

/** Where each image went, written beside the mosaic for reports, the Hub and accuracy checks. */
export interface PlacementRow {
  readonly image: string;
  readonly source: 'registration' | 'sfm';
  readonly registered: boolean;
  /** Recorded yaw minus the rotation the pixels gave, degrees. */
  readonly yawDisagreementDeg?: number;
  readonly yawFlagged: boolean;
  readonly gain: number;
  /** Image centre on the ground, [lon, lat]. */
  readonly center: [number, number];
  /** Heading of the image's top edge, degrees clockwise from grid north of the mosaic's CRS. */
  readonly headingDeg: number;
  /** Image pixels (offsets from the centre) to mosaic pixels. */
  readonly similarity: Similarity;
  readonly width: number;
  readonly height: number;
}

/**
 * Orthomosaic: the photos as the Footprints stage placed them (or re-adjusted to the SfM poses
 * when that stage ran), blended into an RGBA Cloud Optimized GeoTIFF at the photos' own ground
 * resolution in the UTM zone of the job, north up: what GIS users expect. The Tiles stage cuts web
 * tiles from it.
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
  const registration = parseAtBoundary(
    ImageRegistrationSchema,
    await getJson(store, outputKey(footprints, FOOTPRINTS_OUTPUTS.registration)),
    'registration',
  );
  const byName = new Map(records.map((r) => [r.name, r]));
  const rowByName = new Map(rows.map((r) => [r.image, r]));
  const images = registration.images.flatMap((placed) => {
    const record = byName.get(placed.image);
    return record?.key ? [{ placed, record, key: record.key, width: placed.width, height: placed.height }] : [];
  });
  if (images.length === 0 || images.length !== registration.images.length)
    throw new AerialError(
      'Aerial.QualityRejected',
      images.length === 0
        ? 'no image has a footprint to place in a mosaic'
        : 'the registration names photos that Ingest did not store',
      'check the Footprints report',
    );

  const clock = stopwatch();
  const frame = new LocalFrame(registration.origin.latitude, registration.origin.longitude);
  const sfm = await readSfmCameras(store, jobId);
  let framePlacements = images.map((i) => i.placed.placement);
  let source: PlacementRow['source'][] = images.map(() => 'registration');
  let sfmIgnored: string | undefined;
  if (sfm) {
    context.progress(2, 'adjusting the placements to the SfM cameras');
    const fromSfm = images.map((i) => sfm.cameraOf(i.placed.image, rowByName.get(i.placed.image)));
    const adjusted = adjustToSfm(registration, fromSfm, frame);
    // A model bent by drift (nadir-only flights, an unknown lens) can be aligned to GPS at one
    // end and tens of metres off at the other (Caliterra: 17 m median): the registration, held
    // to GPS everywhere, is then the better placement.
    const disagreementM = adjusted.disagreementM;
    if (disagreementM !== undefined && disagreementM > SFM_MAX_DISAGREEMENT_M) {
      sfmIgnored = `the SfM cameras lie ${round(disagreementM, 1)} m (median) from the registered photos; placements stay with the registration`;
    } else {
      framePlacements = adjusted.placements;
      source = adjusted.fromSfm.map((s) => (s ? 'sfm' : 'registration'));
    }
  }
  const registerSeconds = clock();

  // The mosaic's grid, north up: by default UTM at the photos' median ground resolution; on
  // request the XYZ grid of the zoom nearest it (EPSG:3857, tile corners on pixel corners).
  const gsdM = median(framePlacements.map((t) => scaleOf(t) * registration.unitM));
  const latitude = frame.originLat;
  const zoom = zoomForGsd(gsdM, latitude);
  const grid = mosaicGrid(context.request.options.mosaicProjection ?? 'utm', frame, gsdM, zoom);
  const { pixelM } = grid;
  const toMosaicMetres = (x: number, y: number): [number, number] =>
    grid.toProjected(...frame.toLonLat(x * registration.unitM, -y * registration.unitM));
  const projected = images.map((image, k) => toProjectedSimilarity(framePlacements[k]!, image.width, toMosaicMetres));
  const corners = images.flatMap((image, k) => cornersOf(projected[k]!, image.width, image.height));
  const originX =
    grid.snapOffsetX + Math.floor((Math.min(...corners.map((c) => c[0])) - grid.snapOffsetX) / grid.snapM) * grid.snapM;
  const originY =
    grid.snapOffsetY - Math.floor((grid.snapOffsetY - Math.max(...corners.map((c) => c[1]))) / grid.snapM) * grid.snapM;
  const width = Math.ceil((Math.max(...corners.map((c) => c[0])) - originX) / pixelM);
  const height = Math.ceil((originY - Math.min(...corners.map((c) => c[1]))) / pixelM);
  checkExtent(
    corners,
    images.flatMap((i) => (i.record.gps ? [grid.toProjected(i.record.gps.longitude, i.record.gps.latitude)] : [])),
    Math.max(...images.map((i, k) => Math.hypot(i.width, i.height) * scaleOf(framePlacements[k]!))) *
      registration.unitM,
  );
  // Projected metres (y up) to mosaic pixels (y down).
  const inMosaic = projected.map((t): Similarity => ({
    a: t.a / pixelM,
    b: -t.b / pixelM,
    tx: (t.tx - originX) / pixelM,
    ty: (originY - t.ty) / pixelM,
  }));
  const work = await mkdtemp(join(tmpdir(), 'aerial-mosaic-'));
  const cog = openCogWriter({
    width,
    height,
    tileSize: COG_TILE,
    georeference: { epsg: grid.epsg, originX, originY, pixelSize: pixelM },
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
        gain: images[k]!.placed.gain,
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
            `${images[k]!.placed.image} decodes to ${info.width}×${info.height}, not the recorded ${images[k]!.width}×${images[k]!.height}`,
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
      const t = inMosaic[k]!;
      const disagreement = image.placed.yawDisagreementDeg;
      return {
        image: image.placed.image,
        source: source[k]!,
        registered: image.placed.registered,
        ...(disagreement !== undefined ? { yawDisagreementDeg: round(disagreement, 2) } : {}),
        yawFlagged: disagreement !== undefined && Math.abs(disagreement) > YAW_FLAG_DEG,
        gain: round(image.placed.gain, 4),
        center: grid.toLonLat(originX + t.tx * pixelM, originY - t.ty * pixelM).map((v) => round(v, 8)) as [
          number,
          number,
        ],
        headingDeg: round(((rotationOf(t) * 180) / Math.PI + 360) % 360, 3),
        similarity: { a: t.a, b: t.b, tx: t.tx, ty: t.ty },
        width: image.width,
        height: image.height,
      };
    });
    const placementsKey = `${prefix}/placements.json`;
    const georeference = { epsg: grid.epsg, origin: [originX, originY] as [number, number], pixelSizeM: pixelM };
    const placementsInfo = await putJson(store, placementsKey, { ...georeference, placements });
    const edge = (f: number, g: number) => grid.toLonLat(originX + f * width * pixelM, originY - g * height * pixelM);
    const outline = [0, 0.5, 1].flatMap((f) => [edge(f, 0), edge(f, 1), edge(0, f), edge(1, f)]);
    const bbox = [
      Math.min(...outline.map((p) => p[0])),
      Math.min(...outline.map((p) => p[1])),
      Math.max(...outline.map((p) => p[0])),
      Math.max(...outline.map((p) => p[1])),
    ];
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
        placedFrom: source.includes('sfm') ? 'sfm' : 'registration',
        ...(sfmIgnored ? { sfmIgnored } : {}),
        pairs: registration.pairs.length,
        candidatePairs: registration.candidatePairs,
        rmsResidualPx: round(registration.rmsResidualPx, 3),
        yawFlagged: flagged,
        crs: `EPSG:${grid.epsg}`,
        epsg: grid.epsg,
        /** Projected coordinates of the mosaic's top-left corner, metres. */
        origin: georeference.origin,
        pixelSizeM: pixelM,
        /** The XYZ zoom nearest the mosaic's resolution: the finest zoom of its web tiles. */
        zoom,
        gsdCm: round(grid.groundPixelM * 100, 3),
        widthPx: width,
        heightPx: height,
        overviews: written.overviews,
        bytes: cogBytes,
        bbox: bbox.map((v) => round(v, 8)),
        decodes: stats.decodes,
        seconds: { register: registerSeconds, render: renderSeconds, write: clock() },
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
