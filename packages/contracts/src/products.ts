import { type CatalogProductRow } from './catalog';
import { type StageName } from './stages';
import { outputDeclaration, type StageRole } from './stage-io/stage-io';

/** One published product: which stage output it is, where it lives in a published run, how it is offered. */
export interface ProductDeclaration<S extends StageName = StageName> {
  /** Its name in the publication's `products` (and the Hub's download route). */
  readonly name: string;
  readonly stage: S;
  readonly role: StageRole<S>;
  /**
   * Path under `published/<jobId>/<runId>/`: a file, or a folder (ending in `/`) for a role of many
   * objects. Stable and documented (docs/content/products.md): STAC hrefs are relative to it.
   */
  readonly path: string;
  readonly title: string;
  /** File name the Hub offers it for download under (prefixed with the job id), when it does. */
  readonly download?: string;
  /** Its name in the products catalog (`catalog/products.parquet`), when it has a row there. */
  readonly catalog?: CatalogProductRow['product'];
}

const product = <S extends StageName>(p: ProductDeclaration<S>): ProductDeclaration => p as ProductDeclaration;

/**
 * The product table, in publishing order (the order Publish hashes the run id in). Metadata
 * derives the catalog rows and STAC hrefs from it, Publish what it copies, the Hub its downloads.
 */
export const PRODUCTS: readonly ProductDeclaration[] = [
  product({
    name: 'orthomosaic',
    stage: 'Orthomosaic',
    role: 'orthomosaic',
    path: 'orthomosaic.tif',
    title: 'Orthomosaic (COG, RGBA)',
    download: 'orthomosaic.tif',
    catalog: 'orthomosaic',
  }),
  product({
    name: 'preview',
    stage: 'Orthomosaic',
    role: 'preview',
    path: 'preview.png',
    title: 'Preview',
    download: 'preview.png',
    catalog: 'preview',
  }),
  product({
    name: 'tilejson',
    stage: 'Tiles',
    role: 'tilejson',
    path: 'tilejson.json',
    title: 'XYZ tiles (TileJSON)',
    catalog: 'tiles',
  }),
  product({
    name: 'footprints',
    stage: 'Footprints',
    role: 'footprints-geojson',
    path: 'footprints.geojson',
    title: 'Image footprints',
    download: 'footprints.geojson',
    catalog: 'footprints',
  }),
  product({
    name: 'stac',
    stage: 'Metadata',
    role: 'stac-collection',
    path: 'stac/collection.json',
    title: 'STAC Collection',
    download: 'collection.json',
  }),
  product({
    name: 'catalog-images',
    stage: 'Metadata',
    role: 'catalog-images',
    path: 'catalog/images.parquet',
    title: 'GeoParquet catalog of the images',
    download: 'images.parquet',
  }),
  product({
    name: 'catalog-products',
    stage: 'Metadata',
    role: 'catalog-products',
    path: 'catalog/products.parquet',
    title: 'GeoParquet catalog of the products',
  }),
  product({
    name: 'sparse-model',
    stage: 'SfM',
    role: 'sparse-model',
    path: '3d/sparse.ply',
    title: 'Sparse point cloud (SfM)',
    download: 'sparse.ply',
    catalog: 'sparse-model',
  }),
  product({
    name: 'splats',
    stage: 'Splat',
    role: 'splats',
    path: '3d/splats.ply',
    title: '3D Gaussian splats (PLY)',
    download: 'splats.ply',
    catalog: 'splats',
  }),
  product({
    name: 'sog',
    stage: 'Compress',
    role: 'sog',
    path: '3d/splats.sog',
    title: 'Compressed splats (SOG)',
    download: 'splats.sog',
    catalog: 'sog',
  }),
  product({
    name: 'quality-report',
    stage: 'Metadata',
    role: 'quality-report',
    path: 'report/quality-report.json',
    title: 'Quality report (JSON; the Hub renders it as a page and a PDF)',
    download: 'quality-report.json',
  }),
  product({ name: 'stac-item', stage: 'Metadata', role: 'stac-item', path: 'stac/items/', title: 'STAC Items' }),
  product({ name: 'tiles', stage: 'Tiles', role: 'tiles', path: 'tiles/', title: 'XYZ tiles (WebP)' }),
];

/** The product named `name`; throws for a name the table lacks. */
export function productNamed(name: string): ProductDeclaration {
  const found = PRODUCTS.find((p) => p.name === name);
  if (!found) throw new Error(`no product "${name}" in the product table`);
  return found;
}

/** Where a product lives under a published run (`published/<jobId>/<runId>/`). */
export function publishedPath(name: string): string {
  return productNamed(name).path;
}

/** A STAC Item's path under a published run. */
export const publishedItemPath = (id: string) => `${publishedPath('stac-item')}${id}.json`;

/** The tile URL template under a published run, as the publication records it. */
export const publishedTilesTemplate = () => `${publishedPath('tiles')}{z}/{x}/{y}.webp`;

/** The product's media type: its stage output's declared content type. */
export function productContentType(p: ProductDeclaration): string {
  return outputDeclaration(p.stage, p.role).contentType;
}

/** What the Hub offers for download: name (route), path under the run, file name, media type. */
export function downloadableProducts(): { name: string; path: string; filename: string; contentType: string }[] {
  return PRODUCTS.flatMap((p) =>
    p.download ? [{ name: p.name, path: p.path, filename: p.download, contentType: productContentType(p) }] : [],
  );
}

export const publishedPrefix = (jobId: string) => `published/${jobId}`;
export const publishedPointer = (jobId: string) => `published/${jobId}/current.json`;
