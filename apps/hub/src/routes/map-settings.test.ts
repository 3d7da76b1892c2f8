import type { FastifyInstance } from 'fastify';
import { mapSettings } from '@aerial/contracts';
import { mapSettingsRoutes } from './map-settings';
import { pluginApp } from './test-support/plugin-app';

describe('GET /api/map', () => {
  let app: FastifyInstance;
  afterEach(async () => app?.close());

  test('gives no base layer when none is configured', async () => {
    app = await pluginApp((a) => a.register(mapSettingsRoutes, { settings: mapSettings({}) }));
    const response = await app.inject({ url: '/api/map' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ baseLayer: null });
  });

  test('gives the configured base layer as a raster source, with its attribution', async () => {
    const settings = mapSettings({
      HUB_BASE_LAYER_URL: 'http://127.0.0.1:9/{z}/{x}/{y}.png',
      HUB_BASE_LAYER_ATTRIBUTION: 'test tiles',
    });
    app = await pluginApp((a) => a.register(mapSettingsRoutes, { settings }));
    expect((await app.inject({ url: '/api/map' })).json()).toEqual({
      baseLayer: { tiles: ['http://127.0.0.1:9/{z}/{x}/{y}.png'], tileSize: 256, attribution: 'test tiles' },
    });
  });
});
