import { LocalFolderStore } from '@aerial/runtime';
import type { FastifyInstance } from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Publications } from '../../products/publications';
import { pluginApp, publish } from '../test-support/plugin-app';
import { DOWNLOADS, downloadRoutes } from './downloads';

describe('download routes', () => {
  const jobId = 'job-downloads-1';
  let dir: string;
  let store: LocalFolderStore;
  let app: FastifyInstance;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aerial-downloads-'));
    store = new LocalFolderStore(dir);
    const { prefix } = await publish(
      store,
      jobId,
      {
        orthomosaic: 'orthomosaic.tif',
        footprints: 'footprints.geojson',
        tilejson: 'tiles/tilejson.json',
        // Listed in the publication, absent from the store: the download is a 404, not a 500.
        preview: 'preview.png',
      },
      { minZoom: 12, maxZoom: 18 },
    );
    await store.put(`${prefix}/orthomosaic.tif`, Buffer.from('II*\0tiff'), { contentType: 'image/tiff' });
    await store.put(`${prefix}/footprints.geojson`, Buffer.from('{"type":"FeatureCollection","features":[]}'));
    app = await pluginApp((a) => a.register(downloadRoutes, { store, publications: new Publications(store) }));
  });
  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("the listing names the job's downloads, in the table's order, its zooms and its TileJSON", async () => {
    const listing = await app.inject({ url: `/api/jobs/${jobId}/products` });
    expect(listing.statusCode).toBe(200);
    expect(listing.json()).toEqual({
      runId: 'run-0123456789ab',
      publishedAt: '2026-11-22T10:00:00.000Z',
      bbox: [0.1, 52.1, 0.2, 52.2],
      minZoom: 12,
      maxZoom: 18,
      downloads: ['orthomosaic', 'preview', 'footprints'].map((product) => ({
        product,
        href: `/api/jobs/${jobId}/download/${product}`,
      })),
      tilejson: `/tiles/${jobId}/tilejson.json`,
    });
    expect((await app.inject({ url: '/api/jobs/job-downloads-none/products' })).statusCode).toBe(404);
  });

  test('a download is an attachment named for the job, with its length and type', async () => {
    const response = await app.inject({ url: `/api/jobs/${jobId}/download/orthomosaic` });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-disposition']).toBe(`attachment; filename="${jobId}-orthomosaic.tif"`);
    expect(response.headers['content-length']).toBe('8');
    expect(response.headers['content-type']).toBe('image/tiff');
    expect(response.rawPayload.toString('latin1')).toBe('II*\0tiff');
  });

  test('a product the job lacks or the store lost is 404; a name not in the table is 400', async () => {
    expect((await app.inject({ url: `/api/jobs/${jobId}/download/splats` })).statusCode).toBe(404);
    const lost = await app.inject({ url: `/api/jobs/${jobId}/download/preview` });
    expect(lost.statusCode).toBe(404);
    expect(lost.json()).toMatchObject({ error: { reason: `no preview for job ${jobId}` } });
    expect((await app.inject({ url: `/api/jobs/${jobId}/download/secrets` })).statusCode).toBe(400);
    expect([...DOWNLOADS.keys()]).toContain('orthomosaic');
  });
});
