import { CatalogImageRowSchema, CatalogProductRowSchema, DatasetRecordSchema } from './catalog';

describe('catalog rows', () => {
  test('an accepted image row with its footprint', () => {
    const row = CatalogImageRowSchema.parse({
      jobId: 'job-1',
      image: 'DJI_0018.JPG',
      sha256: 'a'.repeat(64),
      accepted: true,
      reasons: [],
      longitude: -91.99,
      latitude: 46.84,
      gsdCm: 1.73,
      footprint: {
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 0],
            [1, 1],
            [0, 0],
          ],
        ],
      },
    });
    expect(row.accepted).toBe(true);
  });

  test('a rejected image row carries its reasons; positions must be on Earth', () => {
    const rejected = {
      jobId: 'job-1',
      image: 'x.jpg',
      sha256: 'b'.repeat(64),
      accepted: false,
      reasons: [{ code: 'no-gps', message: 'no GPS' }],
    };
    expect(CatalogImageRowSchema.parse(rejected).reasons[0]!.code).toBe('no-gps');
    expect(CatalogImageRowSchema.safeParse({ ...rejected, latitude: 123 }).success).toBe(false);
  });

  test('product rows name a known product; dataset ids are key-safe', () => {
    const product = {
      jobId: 'job-1',
      product: 'tiles',
      key: 'published/job-1/tiles',
      mediaType: 'image/webp',
      bytes: 10,
      createdAt: '2026-11-22T10:00:00Z',
    };
    expect(CatalogProductRowSchema.parse(product).product).toBe('tiles');
    expect(CatalogProductRowSchema.safeParse({ ...product, product: 'poster' }).success).toBe(false);
    expect(
      DatasetRecordSchema.safeParse({
        datasetId: '../x',
        prefix: 'u/',
        files: 1,
        bytes: 1,
        createdAt: '2026-11-22T10:00:00Z',
      }).success,
    ).toBe(false);
  });
});
