import { CatalogProductRowSchema } from './catalog';
import {
  downloadableProducts,
  PRODUCTS,
  productContentType,
  publishedItemPath,
  publishedPath,
  publishedTilesTemplate,
} from './products';
import { STAGE_IO } from './stage-io';

describe('product table', () => {
  test('names each product once and takes it from a declared stage output', () => {
    expect(new Set(PRODUCTS.map((p) => p.name)).size).toBe(PRODUCTS.length);
    for (const p of PRODUCTS) {
      const declared = STAGE_IO[p.stage].outputs.find((o) => o.role === p.role);
      expect(declared).toBeDefined();
      // A folder in the published run for a role of many objects, a file for one.
      expect(p.path.endsWith('/')).toBe(declared!.shape !== 'one');
      if (p.catalog) expect(CatalogProductRowSchema.shape.product.options).toContain(p.catalog);
    }
  });

  test('keeps the documented published layout (docs/content/products.md)', () => {
    expect(Object.fromEntries(PRODUCTS.map((p) => [p.name, p.path]))).toEqual({
      orthomosaic: 'orthomosaic.tif',
      preview: 'preview.png',
      tilejson: 'tilejson.json',
      footprints: 'footprints.geojson',
      stac: 'stac/collection.json',
      'catalog-images': 'catalog/images.parquet',
      'catalog-products': 'catalog/products.parquet',
      'sparse-model': '3d/sparse.ply',
      splats: '3d/splats.ply',
      sog: '3d/splats.sog',
      'quality-report': 'report/quality-report.json',
      'stac-item': 'stac/items/',
      tiles: 'tiles/',
    });
    expect(publishedItemPath('job-1-orthomosaic')).toBe('stac/items/job-1-orthomosaic.json');
    expect(publishedTilesTemplate()).toBe('tiles/{z}/{x}/{y}.webp');
    expect(() => publishedPath('nothing')).toThrow(/no product "nothing"/);
  });

  test('offers downloads with their file names and media types', () => {
    expect(downloadableProducts()).toEqual([
      {
        name: 'orthomosaic',
        path: 'orthomosaic.tif',
        filename: 'orthomosaic.tif',
        contentType: expect.stringMatching(/^image\/tiff/),
      },
      { name: 'preview', path: 'preview.png', filename: 'preview.png', contentType: 'image/png' },
      {
        name: 'footprints',
        path: 'footprints.geojson',
        filename: 'footprints.geojson',
        contentType: 'application/geo+json',
      },
      { name: 'stac', path: 'stac/collection.json', filename: 'collection.json', contentType: 'application/json' },
      {
        name: 'catalog-images',
        path: 'catalog/images.parquet',
        filename: 'images.parquet',
        contentType: 'application/vnd.apache.parquet',
      },
      { name: 'sparse-model', path: '3d/sparse.ply', filename: 'sparse.ply', contentType: 'application/x-ply' },
      { name: 'splats', path: '3d/splats.ply', filename: 'splats.ply', contentType: 'application/x-ply' },
      { name: 'sog', path: '3d/splats.sog', filename: 'splats.sog', contentType: 'application/octet-stream' },
      {
        name: 'quality-report',
        path: 'report/quality-report.json',
        filename: 'quality-report.json',
        contentType: 'application/json',
      },
    ]);
    expect(productContentType(PRODUCTS.find((p) => p.name === 'tiles')!)).toBe('image/webp');
  });
});
