import type { CatalogImageRow } from '@aerial/contracts';
import type { Pool } from 'pg';
import { ImagesRepository } from './images-repository';
import { JobsRepository } from './jobs-repository';
import { migrate } from './migrate';
import { ReconstructionsRepository } from './reconstructions-repository';
import { folderJobRequest } from './test-support/job-request';
import { freshDatabase } from './test-support/test-database';

/** A square footprint of `size` degrees at (lon, lat). */
const square = (lon: number, lat: number, size = 0.001) => ({
  type: 'Polygon' as const,
  coordinates: [
    [
      [lon, lat],
      [lon + size, lat],
      [lon + size, lat + size],
      [lon, lat + size],
      [lon, lat],
    ] as [number, number][],
  ],
});

describe('ImagesRepository and ReconstructionsRepository on PostgreSQL + PostGIS', () => {
  let db: { pool: Pool; drop(): Promise<void> };
  let jobs: JobsRepository;
  let images: ImagesRepository;
  let reconstructions: ReconstructionsRepository;
  beforeAll(async () => {
    db = await freshDatabase();
    await migrate(db.pool);
    jobs = new JobsRepository(db.pool);
    images = new ImagesRepository(db.pool);
    reconstructions = new ReconstructionsRepository(db.pool);
  });
  afterAll(async () => db?.drop());

  test('images with footprints make a reconstruction found by bounding box once published', async () => {
    await jobs.recordJob('job-db-2', folderJobRequest());
    const rows: CatalogImageRow[] = [
      {
        jobId: 'job-db-2',
        image: 'A.JPG',
        sha256: 'a'.repeat(64),
        accepted: true,
        reasons: [],
        longitude: 0.1,
        latitude: 52.1,
        gsdCm: 5.4,
        footprint: square(0.1, 52.1),
      },
      {
        jobId: 'job-db-2',
        image: 'B.JPG',
        sha256: 'b'.repeat(64),
        accepted: true,
        reasons: [],
        footprint: square(0.1005, 52.1),
      },
      {
        jobId: 'job-db-2',
        image: 'C.JPG',
        sha256: 'c'.repeat(64),
        accepted: false,
        reasons: [{ code: 'no-gps', message: 'no GPS' }],
      },
    ];
    await images.recordImages(rows);
    await images.recordImages(rows); // idempotent
    const footprints = await images.footprints('job-db-2');
    expect(footprints.features).toHaveLength(2);
    expect(footprints.features[0]).toMatchObject({
      type: 'Feature',
      properties: { image: 'A.JPG', accepted: true, gsdCm: 5.4 },
    });
    await reconstructions.recordReconstruction(
      'job-db-2',
      { footprints: 'jobs/job-db-2/Footprints/footprints.geojson' },
      5.4,
    );
    expect(await reconstructions.reconstructionsIn([0, 52, 1, 53])).toEqual([]);
    await reconstructions.publish('job-db-2');
    const found = await reconstructions.reconstructionsIn([0, 52, 1, 53]);
    expect(found).toHaveLength(1);
    expect(found[0]!.bbox.map((v) => Number(v.toFixed(4)))).toEqual([0.1, 52.1, 0.1015, 52.101]);
    expect(await reconstructions.reconstructionsIn([10, 10, 11, 11])).toEqual([]);
    await expect(reconstructions.reconstructionsIn([1, 53, 0, 52])).rejects.toThrow(/west ≤ east/);
  });

  test('a reconstruction needs at least one accepted footprint', async () => {
    await jobs.recordJob('job-db-3', folderJobRequest());
    await expect(reconstructions.recordReconstruction('job-db-3', {})).rejects.toThrow(/no accepted image footprints/);
  });
});
