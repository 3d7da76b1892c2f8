import { type Polygon, productContentType, productNamed, type StageSummary } from '@aerial/contracts';
import { round } from '../../numbers/round';
import { type ImageEnrichment } from './image-enrichment';
import { type Bbox, fromItem, PROJECTION_EXTENSION, RASTER_EXTENSION, stacItem } from './stac';

/** What every item of a job shares: where and when, and the properties common to its products. */
export interface ItemScene {
  readonly jobId: string;
  readonly area: Polygon;
  readonly bbox: Bbox;
  readonly start?: string;
  readonly end?: string;
  readonly properties: Record<string, unknown>;
}

export interface StacItemDocument {
  readonly id: string;
  readonly doc: Record<string, unknown>;
}

/** Properties every item carries: GSD, camera, images used, and the mean sun elevation with the zone assumed. */
export function commonProperties(
  gsdCm: number,
  camera: string | undefined,
  images: number,
  enrichment: readonly ImageEnrichment[],
): Record<string, unknown> {
  const sunElevations = enrichment.flatMap((e) => (e.sun ? [e.sun.elevationDeg] : []));
  const offset = enrichment.find((e) => e.sun)?.sun?.utcOffsetHours;
  return {
    gsd: round(gsdCm / 100, 5),
    ...(camera ? { instruments: [camera] } : {}),
    'aerial:images': images,
    ...(sunElevations.length && offset !== undefined
      ? {
          'view:sun_elevation': round(sunElevations.reduce((s, v) => s + v, 0) / sunElevations.length, 2),
          'aerial:time_zone_assumed': `UTC${offset >= 0 ? '+' : ''}${offset} (nautical zone of the longitude; the camera recorded none)`,
        }
      : {}),
  };
}

/** A STAC asset of a published product: href relative to the item, media type and title from the product table. */
function asset(name: string, roles: string[], title?: string): Record<string, unknown> {
  const product = productNamed(name);
  return {
    href: fromItem(product.path),
    type: productContentType(product),
    title: title ?? product.title,
    roles,
  };
}

/** The orthomosaic's item: projection and raster extensions, its COG, preview and tiles. */
export function orthomosaicItem(scene: ItemScene, mosaic: StageSummary<'Orthomosaic'>): StacItemDocument {
  const id = `${scene.jobId}-orthomosaic`;
  const res = mosaic.pixelSizeM;
  const [originX, originY] = mosaic.origin;
  const doc = stacItem({
    id,
    ...sceneFields(scene),
    extensions: [PROJECTION_EXTENSION, RASTER_EXTENSION],
    properties: {
      title: 'Orthomosaic',
      ...scene.properties,
      'proj:epsg': mosaic.epsg,
      'proj:shape': [mosaic.heightPx, mosaic.widthPx],
      'proj:transform': [res, 0, originX, 0, -res, originY],
      'proj:bbox': [originX, originY - mosaic.heightPx * res, originX + mosaic.widthPx * res, originY],
    },
    assets: {
      data: {
        ...asset('orthomosaic', ['data']),
        'raster:bands': ['red', 'green', 'blue', 'alpha'].map((name) => ({
          name,
          data_type: 'uint8',
          spatial_resolution: round(mosaic.gsdCm / 100, 5),
        })),
      },
      thumbnail: asset('preview', ['thumbnail']),
      tiles: asset('tilejson', ['tiles']),
    },
  });
  return { id, doc };
}

/** What every item of a job's scene shares: the job, its area and the capture interval. */
function sceneFields(scene: ItemScene) {
  return { jobId: scene.jobId, geometry: scene.area, bbox: scene.bbox, start: scene.start, end: scene.end };
}

/** The 3D model's item: sparse points, splats and their compressed form. */
export function modelItem(scene: ItemScene, sfm: StageSummary<'SfM'>, splat: StageSummary<'Splat'>): StacItemDocument {
  const id = `${scene.jobId}-model-3d`;
  const doc = stacItem({
    id,
    ...sceneFields(scene),
    extensions: [],
    properties: {
      title: '3D model',
      ...scene.properties,
      'aerial:registered': sfm.registered,
      'aerial:splats_trained': splat.trained,
    },
    assets: {
      'sparse-model': asset('sparse-model', ['data']),
      splats: asset('splats', ['data']),
      sog: asset('sog', ['data']),
    },
  });
  return { id, doc };
}
