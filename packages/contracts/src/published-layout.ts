/**
 * Where each product lives under a published run (`published/<jobId>/<runId>/`). Stable and
 * documented (docs/content/products.md): STAC hrefs are written relative to it, and readers find the
 * current run through `published/<jobId>/current.json`.
 */
export const PUBLISHED_LAYOUT = {
  orthomosaic: 'orthomosaic.tif',
  preview: 'preview.png',
  tilejson: 'tilejson.json',
  tiles: 'tiles/',
  footprints: 'footprints.geojson',
  collection: 'stac/collection.json',
  item: (id: string) => `stac/items/${id}.json`,
  catalogImages: 'catalog/images.parquet',
  catalogProducts: 'catalog/products.parquet',
  sparseModel: '3d/sparse.ply',
  splats: '3d/splats.ply',
  sog: '3d/splats.sog',
} as const;

export const publishedPrefix = (jobId: string) => `published/${jobId}`;
export const publishedPointer = (jobId: string) => `published/${jobId}/current.json`;
