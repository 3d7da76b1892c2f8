import { type MapSettings, MapSettingsSchema } from '@aerial/contracts';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';

export interface MapSettingsRoutesOptions {
  /** From the Hub's configuration (`mapSettings(config)`). */
  readonly settings: MapSettings;
}

/** What the page's map draws besides the job's products: the optional base layer. */
export const mapSettingsRoutes: FastifyPluginAsync<MapSettingsRoutesOptions> = async (plain, options) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const settings = MapSettingsSchema.parse(options.settings);
  app.get(
    '/api/map',
    {
      schema: {
        summary:
          "The page's map settings: the raster base layer under the mosaic (null unless HUB_BASE_LAYER_URL is set)",
        tags: ['products'],
        response: { 200: MapSettingsSchema },
      },
    },
    async () => settings,
  );
};
