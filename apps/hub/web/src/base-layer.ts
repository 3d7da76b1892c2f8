import maplibregl, { type Map as MapLibreMap } from 'maplibre-gl';
import type { MapSettings } from '@aerial/contracts';

let settings: Promise<MapSettings> | undefined;

/** The Hub's map settings, asked once per page (they change only when the Hub restarts). */
export function mapSettings(get: <T>(path: string) => Promise<T>): Promise<MapSettings> {
  settings ??= get<MapSettings>('/api/map').catch(() => ({ baseLayer: null }));
  return settings;
}

/**
 * The configured raster base layer, under everything else, with its attribution. Without one the
 * map stays offline: nothing is asked of any server but the Hub.
 */
export function addBaseLayer(map: MapLibreMap, baseLayer: MapSettings['baseLayer']): void {
  if (!baseLayer) return;
  map.addSource('base', {
    type: 'raster',
    tiles: baseLayer.tiles,
    tileSize: baseLayer.tileSize,
    ...(baseLayer.attribution ? { attribution: baseLayer.attribution } : {}),
  });
  const first = map.getStyle().layers.find((layer) => layer.id !== 'background')?.id;
  map.addLayer({ id: 'base', type: 'raster', source: 'base' }, first);
  if (baseLayer.attribution) map.addControl(new maplibregl.AttributionControl({ compact: true }));
}
