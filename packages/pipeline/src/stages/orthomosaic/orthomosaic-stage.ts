import { AerialError, type StageSummary } from '@aerial/contracts';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { LocalFrame } from '../../geo/local-frame';
import { type ObjectStore, type StageHandler } from '@aerial/runtime';
import { round } from '../../numbers/round';
import { openCogWriter } from './cog-writer-thread';
import { framePlacements, type MosaicImage, readMosaicInputs } from './mosaic-inputs';
import { mosaicBbox, mosaicLayout } from './mosaic-layout';
import { placementRows, storeMosaic, storePlacements } from './mosaic-products';
import { renderMosaic } from './mosaic-renderer';

export type { PlacementRow } from './mosaic-products';

/** The COG's tile size, pixels (the Tiles stage reads it in rows of these). */
export const COG_TILE = 512;
/** Decoded full-resolution images kept while rendering. */
const DEFAULT_CACHE_BYTES = 640 * 1024 * 1024;

/**
 * Orthomosaic: the photos as the Footprints stage placed them (or re-adjusted to the SfM poses
 * when that stage ran), blended into an RGBA Cloud Optimized GeoTIFF at the photos' own ground
 * resolution in the UTM zone of the job, north up: what GIS users expect. The Tiles stage cuts web
 * tiles from it.
 */
export const orthomosaicStage: StageHandler = async (invocation, context) => {
  const { store, signal } = context;
  const { jobId } = invocation;
  const inputs = await readMosaicInputs(store, jobId);
  const { images, registration } = inputs;

  const clock = stopwatch();
  const frame = new LocalFrame(registration.origin.latitude, registration.origin.longitude);
  const placed = await framePlacements(store, jobId, inputs, frame, context.progress);
  const registerSeconds = clock();
  const layout = mosaicLayout(
    images,
    placed.placements,
    registration,
    frame,
    context.request.options.mosaicProjection ?? 'utm',
  );
  const { grid, width, height, originX, originY, pixelM } = layout;

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
        placement: layout.inMosaic[k]!,
        gain: image.placed.gain,
      })),
      load: (k) => decodeImage(store, images[k]!),
      cacheBytes: DEFAULT_CACHE_BYTES,
      onTile: (column, row, rgba) => cog.addTile(column, row, rgba),
      onProgress: (done, total) => context.progress(40 + (done / total) * 50, `rendered ${done}/${total} mosaic tiles`),
      signal,
    });
    const renderSeconds = clock();
    context.progress(90, 'writing overviews');
    const cogPath = join(work, 'orthomosaic.tif');
    const written = await cog.finish(cogPath);
    const mosaicOutputs = await storeMosaic(store, jobId, cogPath, written.half);
    const placements = placementRows(images, placed.source, layout);
    const placementsOutput = await storePlacements(store, jobId, layout, placements);
    const summary: StageSummary<'Orthomosaic'> = {
      images: images.length,
      registered: placements.filter((p) => p.registered).length,
      placedFrom: placed.source.includes('sfm') ? 'sfm' : 'registration',
      ...(placed.sfmIgnored ? { sfmIgnored: placed.sfmIgnored } : {}),
      pairs: registration.pairs.length,
      candidatePairs: registration.candidatePairs,
      rmsResidualPx: round(registration.rmsResidualPx, 3),
      yawFlagged: placements.filter((p) => p.yawFlagged).map((p) => p.image),
      crs: `EPSG:${grid.epsg}`,
      epsg: grid.epsg,
      origin: [originX, originY],
      pixelSizeM: pixelM,
      zoom: layout.zoom,
      gsdCm: round(grid.groundPixelM * 100, 3),
      widthPx: width,
      heightPx: height,
      overviews: written.overviews,
      bytes: (await stat(cogPath)).size,
      bbox: mosaicBbox(layout).map((v) => round(v, 8)) as [number, number, number, number],
      decodes: stats.decodes,
      seconds: { register: registerSeconds, render: renderSeconds, write: clock() },
    };
    return { outputs: [...mosaicOutputs, placementsOutput], summary };
  } finally {
    await cog.close();
    await rm(work, { recursive: true, force: true });
  }
};

/** A photo decoded to RGB at the size its record gives; another size means the record is wrong. */
async function decodeImage(store: ObjectStore, image: MosaicImage) {
  const { data, info } = await sharp(await store.get(image.key))
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.width !== image.width || info.height !== image.height)
    throw new AerialError(
      'Aerial.InvalidInput',
      `${image.placed.image} decodes to ${info.width}×${info.height}, not the recorded ${image.width}×${image.height}`,
    );
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    width: info.width,
    height: info.height,
  };
}

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
