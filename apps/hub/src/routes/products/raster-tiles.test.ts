import { LocalFolderStore } from '@aerial/runtime';
import type { FastifyInstance } from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Publications } from '../../products/publications';
import { pluginApp, publish } from '../test-support/plugin-app';
import { rasterTileRoutes } from './raster-tiles';

describe('raster tile routes', () => {
  const jobId = 'job-raster-1';
  let dir: string;
  let store: LocalFolderStore;
  let app: FastifyInstance;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aerial-raster-tiles-'));
    store = new LocalFolderStore(dir);
    const { prefix } = await publish(store, jobId, { tilejson: 'tiles/tilejson.json' }, { minZoom: 3, maxZoom: 5 });
    await store.put(`${prefix}/tiles/tilejson.json`, Buffer.from(JSON.stringify({ tilejson: '3.0.0', maxzoom: 5 })));
    await store.put(`${prefix}/tiles/5/16/10.webp`, Buffer.from('RIFF-webp-bytes'));
    const publications = new Publications(store);
    app = await pluginApp((a) => a.register(rasterTileRoutes, { store, publications }));
  });
  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the TileJSON points its tiles back at this Hub and is not cached', async () => {
    const response = await app.inject({ url: `/tiles/${jobId}/tilejson.json`, headers: { host: 'hub.example:8080' } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.json()).toEqual({
      tilejson: '3.0.0',
      maxzoom: 5,
      tiles: [`http://hub.example:8080/tiles/${jobId}/{z}/{x}/{y}.webp`],
    });
  });

  test('a tile is WebP with an etag of its run; the same etag gets 304', async () => {
    const tile = await app.inject({ url: `/tiles/${jobId}/5/16/10.webp` });
    expect(tile.statusCode).toBe(200);
    expect(tile.headers['content-type']).toBe('image/webp');
    expect(tile.headers['cache-control']).toBe('public, max-age=3600, must-revalidate');
    expect(tile.headers.etag).toMatch(/^"run-0123456789ab-.+"$/);
    expect(tile.rawPayload.toString()).toBe('RIFF-webp-bytes');
    const again = await app.inject({
      url: `/tiles/${jobId}/5/16/10.webp`,
      headers: { 'if-none-match': tile.headers.etag as string },
    });
    expect(again.statusCode).toBe(304);
  });

  test('a tile outside the mosaic is 204 (cached too), an unpublished job 404, a bad zoom 400', async () => {
    const empty = await app.inject({ url: `/tiles/${jobId}/5/0/0.webp` });
    expect(empty.statusCode).toBe(204);
    expect(empty.headers['cache-control']).toBe('public, max-age=3600');
    const unknown = await app.inject({ url: '/tiles/job-raster-none/5/16/10.webp' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({
      error: { name: 'Aerial.InvalidInput', reason: 'no published tiles for job job-raster-none' },
    });
    expect((await app.inject({ url: '/tiles/job-raster-none/tilejson.json' })).statusCode).toBe(404);
    expect((await app.inject({ url: `/tiles/${jobId}/31/0/0.webp` })).statusCode).toBe(400);
  });
});
