import { type ImageRecord, keys, stageOutputKey } from '@aerial/contracts';
import { LocalFolderStore, putJson } from '@aerial/runtime';
import type { FastifyInstance } from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImagesRepository } from '../../db/images-repository';
import { ReconstructionsRepository } from '../../db/reconstructions-repository';
import { Publications } from '../../products/publications';
import { answeringPool, pluginApp } from '../test-support/plugin-app';
import { catalogRoutes } from './catalog';

const record = (name: string, accepted: boolean): ImageRecord => ({
  name,
  bytes: 10,
  sha256: '0'.repeat(64),
  camera: {},
  qa: {
    accepted,
    reasons: accepted ? [] : [{ code: 'blurry', message: 'too blurry' }],
    warnings: accepted ? ['low light'] : [],
    metrics: {},
  },
});

describe('catalog routes', () => {
  const jobId = 'job-catalog-1';
  let dir: string;
  let app: FastifyInstance;
  let store: LocalFolderStore;
  let imageRows: unknown[] = [
    { name: 'A.JPG', accepted: true, gsd_cm: 2.5, geometry: { type: 'Point', coordinates: [0.1, 52.1] } },
  ];
  const images = answeringPool(() => imageRows);
  const reconstructions = answeringPool(() => [
    {
      job_id: jobId,
      w: 0.1,
      s: 52.1,
      e: 0.2,
      n: 52.2,
      gsd_cm: 2.5,
      products: { orthomosaic: 'orthomosaic.tif' },
      published_at: new Date('2026-11-22T10:00:00Z'),
    },
  ]);
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aerial-catalog-'));
    store = new LocalFolderStore(dir);
    await putJson(store, `${keys.stage(jobId, 'Ingest')}/image-records.json`, [
      record('A.JPG', true),
      record('B.JPG', false),
    ]);
    app = await pluginApp((a) =>
      a.register(catalogRoutes, {
        images: new ImagesRepository(images.pool),
        reconstructions: new ReconstructionsRepository(reconstructions.pool),
        publications: new Publications(store),
      }),
    );
  });
  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('reconstructions are found by bounding box; a malformed or inverted box is 400', async () => {
    const found = await app.inject({ url: '/api/reconstructions?bbox=0,52,1,53' });
    expect(found.statusCode).toBe(200);
    expect(found.json()).toEqual({
      reconstructions: [
        {
          jobId,
          bbox: [0.1, 52.1, 0.2, 52.2],
          gsdCm: 2.5,
          products: { orthomosaic: 'orthomosaic.tif' },
          publishedAt: '2026-11-22T10:00:00.000Z',
        },
      ],
    });
    const malformed = await app.inject({ url: '/api/reconstructions?bbox=0,52,1' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.body).toMatch(/west,south,east,north/);
    const inverted = await app.inject({ url: '/api/reconstructions?bbox=1,53,0,52' });
    expect(inverted.statusCode).toBe(400);
    expect(inverted.body).toMatch(/west ≤ east/);
  });

  test("a job's footprints are a GeoJSON FeatureCollection", async () => {
    const response = await app.inject({ url: `/api/jobs/${jobId}/footprints` });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          geometry: { type: 'Point', coordinates: [0.1, 52.1] },
          properties: { image: 'A.JPG', accepted: true, gsdCm: 2.5 },
        },
      ],
    });
  });

  test("an unpublished job's footprints are those its Footprints stage wrote (a survey's map)", async () => {
    const footprint = {
      type: 'Polygon' as const,
      coordinates: [
        [
          [0.1, 52.1],
          [0.2, 52.1],
          [0.2, 52.2],
          [0.1, 52.1],
        ],
      ],
    };
    const unpublished = 'job-catalog-survey';
    await putJson(store, `${keys.stage(unpublished, 'Ingest')}/image-records.json`, [
      record('A.JPG', true),
      record('B.JPG', false),
    ]);
    await putJson(store, stageOutputKey(unpublished, 'Footprints', 'footprints'), [
      { image: 'A.JPG', footprint, center: [0.15, 52.15], gsdCm: 2, widthM: 50, heightM: 40, heightSource: 'unknown' },
      { image: 'B.JPG', footprint, center: [0.15, 52.15], gsdCm: 3, widthM: 50, heightM: 40, heightSource: 'unknown' },
    ]);
    imageRows = [];
    try {
      expect((await app.inject({ url: `/api/jobs/${unpublished}/footprints` })).json()).toEqual({
        type: 'FeatureCollection',
        features: [
          { type: 'Feature', geometry: footprint, properties: { image: 'A.JPG', accepted: true, gsdCm: 2 } },
          { type: 'Feature', geometry: footprint, properties: { image: 'B.JPG', accepted: false, gsdCm: 3 } },
        ],
      });
      // Before the Footprints stage ran: none, not a 404.
      const before = await app.inject({ url: '/api/jobs/job-catalog-none/footprints' });
      expect(before.statusCode).toBe(200);
      expect(before.json()).toEqual({ type: 'FeatureCollection', features: [] });
    } finally {
      imageRows = [
        { name: 'A.JPG', accepted: true, gsd_cm: 2.5, geometry: { type: 'Point', coordinates: [0.1, 52.1] } },
      ];
    }
  });

  test('the QA table lists every photo with its verdict, reasons and warnings; none before Ingest', async () => {
    const response = await app.inject({ url: `/api/jobs/${jobId}/images` });
    expect(response.json()).toEqual({
      images: [
        { name: 'A.JPG', accepted: true, reasons: [], warnings: ['low light'] },
        { name: 'B.JPG', accepted: false, reasons: [{ code: 'blurry', message: 'too blurry' }], warnings: [] },
      ],
    });
    expect((await app.inject({ url: '/api/jobs/job-catalog-none/images' })).json()).toEqual({ images: [] });
  });
});
