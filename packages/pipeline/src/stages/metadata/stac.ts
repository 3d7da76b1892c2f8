import convex from '@turf/convex';
import { featureCollection, polygon } from '@turf/helpers';
import { type FootprintRecord, type Polygon, productContentType, productNamed } from '@aerial/contracts';

export const STAC_VERSION = '1.0.0';
export const PROJECTION_EXTENSION = 'https://stac-extensions.github.io/projection/v1.1.0/schema.json';
export const RASTER_EXTENSION = 'https://stac-extensions.github.io/raster/v1.1.0/schema.json';

export type Bbox = [number, number, number, number];

export interface CollectionInput {
  readonly jobId: string;
  readonly label?: string;
  readonly bbox: Bbox;
  readonly start?: string;
  readonly end?: string;
  readonly itemIds: readonly string[];
  readonly camera?: string;
  readonly images: number;
}

/** The area the accepted images cover: the convex hull of their footprints. */
export function coverage(footprints: readonly FootprintRecord[]): Polygon {
  const hull = convex(featureCollection(footprints.map((f) => polygon(f.footprint.coordinates))));
  if (!hull) throw new Error('no footprints to cover');
  return { type: 'Polygon', coordinates: hull.geometry.coordinates as [number, number][][] };
}

/** One STAC Collection per job, linking its items. */
export function stacCollection(input: CollectionInput): Record<string, unknown> {
  return {
    type: 'Collection',
    stac_version: STAC_VERSION,
    stac_extensions: [],
    id: input.jobId,
    title: input.label ?? `Aerial job ${input.jobId}`,
    description: `Products of Aerial job ${input.jobId}: ${input.images} drone photos${input.camera ? ` (${input.camera})` : ''}.`,
    license: 'proprietary',
    extent: {
      spatial: { bbox: [input.bbox] },
      temporal: { interval: [[input.start ?? null, input.end ?? null]] },
    },
    summaries: input.camera ? { instruments: [input.camera] } : {},
    links: [
      { rel: 'self', href: './collection.json', type: 'application/json' },
      { rel: 'root', href: './collection.json', type: 'application/json' },
      ...input.itemIds.map((id) => ({ rel: 'item', href: `./items/${id}.json`, type: 'application/geo+json' })),
    ],
    assets: {
      footprints: collectionAsset('footprints'),
      catalog: collectionAsset('catalog-images'),
    },
  };
}

/** A collection asset of a published product: href relative to `stac/collection.json`. */
function collectionAsset(name: string): Record<string, unknown> {
  const product = productNamed(name);
  return { href: `../${product.path}`, type: productContentType(product), title: product.title, roles: ['metadata'] };
}

export interface ItemInput {
  readonly id: string;
  readonly jobId: string;
  readonly geometry: Polygon;
  readonly bbox: Bbox;
  readonly start?: string;
  readonly end?: string;
  readonly properties: Record<string, unknown>;
  readonly assets: Record<string, Record<string, unknown>>;
  readonly extensions: readonly string[];
}

/** A STAC Item of one product; hrefs are relative to the item inside the published layout. */
export function stacItem(input: ItemInput): Record<string, unknown> {
  const time =
    input.start && input.end
      ? { datetime: null, start_datetime: input.start, end_datetime: input.end }
      : { datetime: input.start ?? new Date().toISOString() };
  return {
    type: 'Feature',
    stac_version: STAC_VERSION,
    stac_extensions: input.extensions,
    id: input.id,
    collection: input.jobId,
    geometry: input.geometry,
    bbox: input.bbox,
    properties: { ...time, ...input.properties },
    links: [
      { rel: 'collection', href: '../collection.json', type: 'application/json' },
      { rel: 'parent', href: '../collection.json', type: 'application/json' },
      { rel: 'root', href: '../collection.json', type: 'application/json' },
    ],
    assets: input.assets,
  };
}

/** Relative href from a STAC item to a published product. */
export const fromItem = (path: string) => `../../${path}`;
