import { LRUCache } from 'lru-cache';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import geojsonvt from 'geojson-vt';
import * as vtpbf from 'vt-pbf';
import type { ImagesRepository } from '../../db/images-repository';
import type { Publications } from '../../products/publications';
import { notFound } from '../errors';
import { TileParams } from './params';

export interface VectorTileRoutesOptions {
  /** The footprints the tiles are cut from. */
  readonly images: ImagesRepository;
  /** Which run is current: an index is cut once per published run. */
  readonly publications: Publications;
}

/** Indexes kept (one per job, the oldest dropped first). */
const MAX_INDEXES = 200;

/**
 * Footprint vector tiles: cut by geojson-vt from the job's footprints in the tile database and
 * encoded by vt-pbf, one index per published run (the embedded PostGIS has no ST_AsMVT).
 */
export const vectorTileRoutes: FastifyPluginAsync<VectorTileRoutesOptions> = async (plain, options) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const { images, publications } = options;
  const vectorIndexes = new LRUCache<string, { runId: string; index: ReturnType<typeof geojsonvt> }>({
    max: MAX_INDEXES,
  });
  app.get(
    '/tiles/:jobId/footprints/:z/:x/:y.pbf',
    {
      config: { rateLimit: false },
      schema: {
        summary: "Vector tile (MVT) of a job's image footprints, layer `footprints`",
        tags: ['products'],
        params: TileParams,
      },
    },
    async (request, reply) => {
      const { jobId, z: zoom, x, y } = request.params;
      const publication = await publications.current(jobId);
      if (!publication) throw notFound(`published footprints for job ${jobId}`);
      let entry = vectorIndexes.get(jobId);
      if (entry?.runId !== publication.runId) {
        const footprints = await images.footprints(jobId);
        entry = {
          runId: publication.runId,
          index: geojsonvt(footprints as Parameters<typeof geojsonvt>[0], {
            maxZoom: 24,
            indexMaxZoom: 4,
            tolerance: 1,
          }),
        };
        vectorIndexes.set(jobId, entry);
      }
      const tile = entry.index.getTile(zoom, x, y);
      reply.header('cache-control', 'public, max-age=3600, must-revalidate');
      if (!tile || tile.features.length === 0) return reply.code(204).send();
      const body = Buffer.from(
        vtpbf.fromGeojsonVt({ footprints: tile } as unknown as Parameters<typeof vtpbf.fromGeojsonVt>[0], {
          version: 2,
        }),
      );
      return reply.type('application/vnd.mapbox-vector-tile').send(body);
    },
  );
};
