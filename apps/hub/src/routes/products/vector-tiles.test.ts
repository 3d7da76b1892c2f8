import { LocalFolderStore } from '@aerial/runtime';
import type { FastifyInstance } from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImagesRepository } from '../../db/images-repository';
import { Publications } from '../../products/publications';
import { answeringPool, pluginApp, publish } from '../test-support/plugin-app';
import { vectorTileRoutes } from './vector-tiles';

/** One footprint row as the images query returns it: a small square near (0.1, 52.1). */
const footprintRow = {
  name: 'A.JPG',
  accepted: true,
  gsd_cm: 2.5,
  geometry: {
    type: 'Polygon',
    coordinates: [
      [
        [0.1, 52.1],
        [0.101, 52.1],
        [0.101, 52.101],
        [0.1, 52.101],
        [0.1, 52.1],
      ],
    ],
  },
};

/** The XYZ tile holding (lon, lat) at zoom z. */
const tileAt = (lon: number, lat: number, z: number) => {
  const n = 2 ** z;
  const rad = (lat * Math.PI) / 180;
  return {
    x: Math.floor(((lon + 180) / 360) * n),
    y: Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n),
  };
};

describe('vector tile routes', () => {
  const jobId = 'job-vector-1';
  let dir: string;
  let store: LocalFolderStore;
  let app: FastifyInstance;
  const database = answeringPool(() => [footprintRow]);
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aerial-vector-tiles-'));
    store = new LocalFolderStore(dir);
    await publish(store, jobId, { footprints: 'footprints.geojson' });
    // No pointer cache: a new run must be seen at once.
    const publications = new Publications(store, store, 0);
    app = await pluginApp((a) =>
      a.register(vectorTileRoutes, { images: new ImagesRepository(database.pool), publications }),
    );
  });
  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a tile over the footprints is an MVT; one away from them is 204; both cacheable', async () => {
    const { x, y } = tileAt(0.1005, 52.1005, 14);
    const tile = await app.inject({ url: `/tiles/${jobId}/footprints/14/${x}/${y}.pbf` });
    expect(tile.statusCode).toBe(200);
    expect(tile.headers['content-type']).toBe('application/vnd.mapbox-vector-tile');
    expect(tile.headers['cache-control']).toBe('public, max-age=3600, must-revalidate');
    // The layer's name is in the protobuf as text.
    expect(tile.rawPayload.includes(Buffer.from('footprints'))).toBe(true);
    const away = await app.inject({ url: `/tiles/${jobId}/footprints/14/0/0.pbf` });
    expect(away.statusCode).toBe(204);
    expect(away.headers['cache-control']).toBe('public, max-age=3600, must-revalidate');
  });

  test('the footprints are read once per published run, and again for a new run', async () => {
    const before = database.queries.length;
    await app.inject({ url: `/tiles/${jobId}/footprints/10/0/0.pbf` });
    expect(database.queries.length).toBe(before);
    await publish(store, jobId, { footprints: 'footprints.geojson' }, { runId: 'run-ba9876543210' });
    await app.inject({ url: `/tiles/${jobId}/footprints/10/0/0.pbf` });
    expect(database.queries.length).toBe(before + 1);
  });

  test('an unpublished job is 404', async () => {
    const response = await app.inject({ url: '/tiles/job-vector-none/footprints/1/0/0.pbf' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ error: { reason: 'no published footprints for job job-vector-none' } });
  });
});
