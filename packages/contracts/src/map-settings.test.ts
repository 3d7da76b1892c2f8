import { MapSettingsSchema, mapSettings } from './map-settings';
import { loadRuntimeConfig } from './runtime-config';

describe('the map settings the page is given', () => {
  test('no base layer by default, so that the page asks no other server for anything', () => {
    const settings = mapSettings(loadRuntimeConfig({}));
    expect(settings).toEqual({ baseLayer: null });
    expect(MapSettingsSchema.parse(settings)).toEqual(settings);
  });

  test('HUB_BASE_LAYER_URL and its attribution become a raster source', () => {
    const config = loadRuntimeConfig({
      HUB_BASE_LAYER_URL: ' https://tile.openstreetmap.org/{z}/{x}/{y}.png ',
      HUB_BASE_LAYER_ATTRIBUTION: '© OpenStreetMap contributors',
    });
    expect(mapSettings(config)).toEqual({
      baseLayer: {
        tiles: ['https://tile.openstreetmap.org/{z}/{x}/{y}.png'],
        tileSize: 256,
        attribution: '© OpenStreetMap contributors',
      },
    });
  });

  test.each([
    ['not a URL', '{z}/{x}/{y}.png'],
    ['another protocol', 'ftp://tiles.example.org/{z}/{x}/{y}.png'],
    ['a URL without the tile numbers', 'https://tiles.example.org/base.png'],
    ['a URL without {y}', 'https://tiles.example.org/{z}/{x}.png'],
  ])('refuses %s, saying what a template looks like', (_, value) => {
    expect(() => loadRuntimeConfig({ HUB_BASE_LAYER_URL: value })).toThrow(
      /HUB_BASE_LAYER_URL: must be an http\(s\) tile URL template with \{z\}, \{x\} and \{y\}/,
    );
  });
});
