import {
  AerialError,
  type FootprintRecord,
  FootprintRecordSchema,
  type ImageRegistration,
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
import { utmZoneFor } from '../../geo/utm';
import {
  fromMercator,
  groundResolution,
  mercatorResolution,
  TILE_SIZE,
  toMercator,
  zoomForGsd,
} from '../../geo/web-mercator';
import { getJson, putJson } from '../../object-store/object-store';
import { FOOTPRINTS_OUTPUTS } from '../footprints/footprints-stage';
import { INGEST_OUTPUTS } from '../ingest/ingest-stage';
import { SFM_OUTPUTS } from '../sfm/sfm-stage';
import { outputKey, readManifest, type StageHandler } from '../stage-runtime';
import { round } from '../tools/round';
import { openCogWriter } from './cog-writer-thread';
import { type PairMatch } from './feature-matching';
import { adjust } from './global-adjustment';
import { type SfmCamera, sfmPlacement } from './initial-placement';
import { renderMosaic } from './mosaic-renderer';
import { apply, rotationOf, type Similarity, scaleOf } from './similarity';

export const ORTHOMOSAIC_OUTPUTS = { cog: 'orthomosaic', preview: 'preview', placements: 'placements' } as const;

/** Recorded yaw that disagrees with the pixels by more than this is flagged in the report. */
const YAW_FLAG_DEG = 90;
/** SfM cameras further than this (median) from the registered photos are not trusted, metres. */
const SFM_MAX_DISAGREEMENT_M = 5;
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
      /** Above the ground the SfM model's sparse points show. */
      heightAboveGroundM: z.number().positive().optional(),
      centerEnu: z.array(z.number()).length(3).optional(),
      qvec: z.array(z.number()).length(4).optional(),
    }),
  ),
});

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

/**
 * Refuses a mosaic that reaches far beyond where its photos were taken (projected corners against
 * GPS positions, with a footprint's diagonal and GPS noise to spare): a failed placement must not
 * become a raster of gigabytes.
 */
function checkExtent(corners: readonly [number, number][], gps: readonly [number, number][], footprintM: number): void {
  if (gps.length === 0) return;
  const margin = footprintM + 50;
  const beyond = Math.max(
    Math.min(...gps.map((g) => g[0])) - margin - Math.min(...corners.map((c) => c[0])),
    Math.max(...corners.map((c) => c[0])) - Math.max(...gps.map((g) => g[0])) - margin,
    Math.min(...gps.map((g) => g[1])) - margin - Math.min(...corners.map((c) => c[1])),
    Math.max(...corners.map((c) => c[1])) - Math.max(...gps.map((g) => g[1])) - margin,
  );
  if (beyond > 0)
    throw new AerialError(
      'Aerial.QualityRejected',
      `the placed photos reach ${beyond.toFixed(0)} m beyond their GPS positions and a footprint: a placement failed`,
      'check the Footprints report (registration residuals, photos left out)',
    );
}

/** Where the mosaic's pixels lie: a projection, a pixel size, and the lattice its origin snaps to. */
interface MosaicGrid {
  readonly epsg: number;
  readonly pixelM: number;
  /** Ground size of a pixel at the job, metres. */
  readonly groundPixelM: number;
  /** The origin is a multiple of `snapM` away from (snapOffsetX, snapOffsetY). */
  readonly snapM: number;
  readonly snapOffsetX: number;
  readonly snapOffsetY: number;
  toProjected(longitude: number, latitude: number): [number, number];
  toLonLat(x: number, y: number): [number, number];
}

function mosaicGrid(projection: 'utm' | 'web-mercator', frame: LocalFrame, gsdM: number, zoom: number): MosaicGrid {
  if (projection === 'web-mercator') {
    const pixelM = mercatorResolution(zoom);
    const halfWorld = (TILE_SIZE * 2 ** zoom * pixelM) / 2;
    return {
      epsg: 3857,
      pixelM,
      groundPixelM: groundResolution(zoom, frame.originLat),
      // Tile corners: the Tiles stage then cuts pages without resampling.
      snapM: TILE_SIZE * pixelM,
      snapOffsetX: -halfWorld,
      snapOffsetY: halfWorld,
      toProjected: toMercator,
      toLonLat: fromMercator,
    };
  }
  const zone = utmZoneFor(frame.originLon, frame.originLat);
  const pixelM = Math.max(0.001, Math.round(gsdM * 1e4) / 1e4);
  return {
    epsg: zone.epsg,
    pixelM,
    groundPixelM: pixelM,
    snapM: pixelM,
    snapOffsetX: 0,
    snapOffsetY: 0,
    toProjected: zone.toProjected,
    toLonLat: zone.toLonLat,
  };
}

/** A frame placement carried into projected metres (y up), exact for the similarity's two points. */
function toProjectedSimilarity(
  t: Similarity,
  width: number,
  toProjected: (x: number, y: number) => [number, number],
): Similarity {
  const span = width / 2;
  const [x0, y0] = toProjected(...apply(t, 0, 0));
  const [x1, y1] = toProjected(...apply(t, span, 0));
  // Image y points down and projected y up: the map from (u, v) keeps its form with b negated.
  return { a: (x1 - x0) / span, b: (y1 - y0) / span, tx: x0, ty: y0 };
}

/** The four image corners in projected metres (y up) for a placement from `toProjectedSimilarity`. */
function cornersOf(t: Similarity, width: number, height: number): [number, number][] {
  return [
    [-width / 2, -height / 2],
    [width / 2, -height / 2],
    [width / 2, height / 2],
    [-width / 2, height / 2],
  ].map(([u, v]) => [t.a * u! + t.b * v! + t.tx, t.b * u! - t.a * v! + t.ty]);
}

/**
 * The registration re-adjusted to the SfM cameras: each registered camera gives a first placement
 * (its principal ray to the ground, its heading), which the stored matches then tie together, held
 * close (0.3 m) to the SfM positions. Photos SfM did not register keep their registered placement.
 */
function adjustToSfm(
  registration: ImageRegistration,
  cameras: readonly (SfmCamera | undefined)[],
  frame: LocalFrame,
): { placements: Similarity[]; fromSfm: boolean[]; disagreementM?: number } {
  const { unitM } = registration;
  const fromSfm = registration.images.map((image, k) => {
    const camera = cameras[k];
    return camera ? sfmPlacement(camera, scaleOf(image.placement) * unitM, frame, unitM) : undefined;
  });
  const pairs: PairMatch[] = registration.pairs.map((p) => ({
    i: p.i,
    j: p.j,
    pointsI: Float32Array.from(p.pointsI),
    pointsJ: Float32Array.from(p.pointsJ),
    rotationRad: p.rotationRad,
    scale: 1,
    matches: p.matches,
  }));
  const result = adjust(
    registration.images.map((image, k) => ({
      width: image.width,
      height: image.height,
      workingScale: 1,
      initial: fromSfm[k] ?? image.placement,
    })),
    pairs,
    { gpsSigmaPx: 0.3 / unitM },
  );
  const distances = fromSfm.flatMap((p, k) => {
    const registered = registration.images[k]!.placement;
    return p ? [Math.hypot(p.tx - registered.tx, p.ty - registered.ty) * unitM] : [];
  });
  return {
    placements: result.placements,
    fromSfm: fromSfm.map((p) => p !== undefined),
    disagreementM: distances.length ? median(distances) : undefined,
  };
}

/**
 * The SfM cameras, when that stage ran, with each one's height above the ground: from the model's
 * sparse points, else as Footprints found it.
 */
async function readSfmCameras(
  store: Parameters<StageHandler>[1]['store'],
  jobId: string,
): Promise<{ cameraOf: (image: string, footprint?: FootprintRecord) => SfmCamera | undefined } | undefined> {
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
      // The model's own ground first (its heights are in the metres it is aligned in), then the
      // height Footprints found.
      const height = c?.heightAboveGroundM ?? footprint?.heightAboveGroundM;
      return c?.registered && c.centerEnu && c.qvec && height
        ? { image, centerEnu: c.centerEnu as [number, number, number], qvec: c.qvec, frame, heightAboveGroundM: height }
        : undefined;
    },
  };
}
