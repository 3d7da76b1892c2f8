import { COG_CONTENT_TYPE, declaredOutput, type StageOutput, stageOutputKey } from '@aerial/contracts';
import { createReadStream } from 'node:fs';
import sharp from 'sharp';
import { type ObjectStore, putJson } from '@aerial/runtime';
import { round } from '../../numbers/round';
import { type CogResult } from './cog-writer-thread';
import { type MosaicImage } from './mosaic-inputs';
import { type MosaicLayout } from './mosaic-layout';
import { rotationOf, type Similarity } from './similarity';

const PREVIEW_SIZE = 1024;
/** Recorded yaw that disagrees with the pixels by more than this is flagged in the report. */
const YAW_FLAG_DEG = 90;

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

/** Stores the COG and, made on libvips' threads meanwhile, its preview from the half-resolution level. */
export async function storeMosaic(
  store: ObjectStore,
  jobId: string,
  cogPath: string,
  half: CogResult['half'],
): Promise<StageOutput[]> {
  const previewScale = Math.min(1, PREVIEW_SIZE / Math.max(half.width, half.height));
  const cogKey = stageOutputKey(jobId, 'Orthomosaic', 'orthomosaic');
  const previewKey = stageOutputKey(jobId, 'Orthomosaic', 'preview');
  const [cogInfo, previewInfo] = await Promise.all([
    store.put(cogKey, createReadStream(cogPath), {
      contentType: COG_CONTENT_TYPE,
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
  return [
    declaredOutput('Orthomosaic', 'orthomosaic', { key: cogKey, bytes: cogInfo.bytes }),
    declaredOutput('Orthomosaic', 'preview', { key: previewKey, bytes: previewInfo.bytes }),
  ];
}

/** A row per image: where it went in the mosaic, from what, and whether its recorded yaw is flagged. */
export function placementRows(
  images: readonly MosaicImage[],
  source: readonly PlacementRow['source'][],
  layout: MosaicLayout,
): PlacementRow[] {
  const { grid, originX, originY, pixelM } = layout;
  return images.map((image, k) => {
    const t = layout.inMosaic[k]!;
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
}

/** Writes `placements.json`: the georeference and a row per image. */
export async function storePlacements(
  store: ObjectStore,
  jobId: string,
  layout: MosaicLayout,
  placements: readonly PlacementRow[],
): Promise<StageOutput> {
  const key = stageOutputKey(jobId, 'Orthomosaic', 'placements');
  const info = await putJson(store, key, {
    epsg: layout.grid.epsg,
    origin: [layout.originX, layout.originY],
    pixelSizeM: layout.pixelM,
    placements,
  });
  return declaredOutput('Orthomosaic', 'placements', { key, bytes: info.bytes });
}
