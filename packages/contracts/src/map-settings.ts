import { z } from 'zod';

/** A raster base layer the page's map draws under the mosaic: MapLibre's raster source fields. */
export const BaseLayerSchema = z.object({
  /** XYZ tile URL templates ({z}, {x}, {y}). */
  tiles: z.array(z.string()).min(1),
  tileSize: z.number().int().positive(),
  attribution: z.string().nullable(),
});
export type BaseLayer = z.infer<typeof BaseLayerSchema>;

/**
 * What the Hub's page needs to draw its map, from the Hub's configuration (`GET /api/map`). The
 * base layer is null unless HUB_BASE_LAYER_URL is set: by default the page loads nothing from
 * any other server.
 */
export const MapSettingsSchema = z.object({ baseLayer: BaseLayerSchema.nullable() });
export type MapSettings = z.infer<typeof MapSettingsSchema>;

/** The map settings a Hub configured with these variables gives its page. */
export function mapSettings(config: { HUB_BASE_LAYER_URL?: string; HUB_BASE_LAYER_ATTRIBUTION?: string }): MapSettings {
  if (!config.HUB_BASE_LAYER_URL) return { baseLayer: null };
  return {
    baseLayer: {
      tiles: [config.HUB_BASE_LAYER_URL],
      tileSize: 256,
      attribution: config.HUB_BASE_LAYER_ATTRIBUTION ?? null,
    },
  };
}
