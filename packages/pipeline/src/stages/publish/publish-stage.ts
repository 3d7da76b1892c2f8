import {
  AerialError,
  keys,
  type PipelineEvent,
  type Publication,
  PublicationSchema,
  type StageManifest,
  type StageName,
} from '@aerial/contracts';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { AERIAL_PIPELINE, stagesFor } from '@aerial/definition';
import { copyBetween, getJson, type ObjectInfo, type ObjectStore, putJson } from '@aerial/runtime';
import { COMPRESS_OUTPUTS } from '../compress/compress-stage';
import { FOOTPRINTS_OUTPUTS } from '../footprints/footprints-stage';
import { METADATA_OUTPUTS } from '../metadata/metadata-stage';
import { PUBLISHED_LAYOUT, publishedPointer, publishedPrefix } from '@aerial/contracts';
import { ORTHOMOSAIC_OUTPUTS } from '../orthomosaic/orthomosaic-stage';
import { SFM_OUTPUTS } from '../sfm/sfm-stage';
import { SPLAT_OUTPUTS } from '../splat/splat-stage';
import { readManifest, sendThrough, type StageContext, type StageHandler } from '@aerial/runtime';
import { forEachLimited } from '../tools/for-each-limited';
import { TILES_OUTPUTS } from '../tiles/tiles-stage';

/** Tells the rest of the platform (the Hub's tile database) that a job is published. */
export type AnnouncePublication = (publication: Publication, context: StageContext) => Promise<string>;

const COPY_CONCURRENCY = 16;

const ItemSchema = z.object({
  geometry: z.object({ type: z.literal('Polygon'), coordinates: z.array(z.array(z.tuple([z.number(), z.number()]))) }),
});

/**
 * Publish: copy the job's products from the work store to `published/<jobId>/<runId>/` of the
 * published store (the published bucket in the cloud, the same store locally) under the
 * documented layout,
 * then write `published/<jobId>/current.json` (the pointer) last and remove earlier runs, so that a
 * reader following the pointer sees a whole job or none. The run id is a hash of what is
 * published: rerunning a job on the same inputs writes the same keys. Only a job whose stages
 * all succeeded gets here, and Publish checks that again before it writes anything.
 */
export function publishStage(announce: AnnouncePublication = announceOverMqtt): StageHandler {
  return async (invocation, context) => {
    const { store, published, request, signal } = context;
    const { jobId } = invocation;
    const expected = stagesFor(AERIAL_PIPELINE, request.preset).filter((s) => s !== 'Publish' && s !== 'Notify');
    const manifests = new Map<StageName, StageManifest>();
    for (const stage of expected) {
      if (await store.head(keys.stageError(jobId, stage)))
        throw new AerialError(
          'Aerial.InvalidInput',
          `stage ${stage} of job ${jobId} failed; nothing is published`,
          'fix the failure and rerun the job',
        );
      manifests.set(stage, await readManifest(store, jobId, stage));
    }

    const copies: { from: string; to: string; product: string }[] = [];
    const single = (stage: StageName, role: string, path: string, product: string) => {
      const output = manifests.get(stage)?.outputs.find((o) => o.role === role);
      if (output) copies.push({ from: output.key, to: path, product });
    };
    single('Orthomosaic', ORTHOMOSAIC_OUTPUTS.cog, PUBLISHED_LAYOUT.orthomosaic, 'orthomosaic');
    single('Orthomosaic', ORTHOMOSAIC_OUTPUTS.preview, PUBLISHED_LAYOUT.preview, 'preview');
    single('Tiles', TILES_OUTPUTS.tilejson, PUBLISHED_LAYOUT.tilejson, 'tilejson');
    single('Footprints', FOOTPRINTS_OUTPUTS.geojson, PUBLISHED_LAYOUT.footprints, 'footprints');
    single('Metadata', METADATA_OUTPUTS.collection, PUBLISHED_LAYOUT.collection, 'stac');
    single('Metadata', METADATA_OUTPUTS.catalogImages, PUBLISHED_LAYOUT.catalogImages, 'catalog-images');
    single('Metadata', METADATA_OUTPUTS.catalogProducts, PUBLISHED_LAYOUT.catalogProducts, 'catalog-products');
    single('SfM', SFM_OUTPUTS.points, PUBLISHED_LAYOUT.sparseModel, 'sparse-model');
    single('Splat', SPLAT_OUTPUTS.splats, PUBLISHED_LAYOUT.splats, 'splats');
    single('Compress', COMPRESS_OUTPUTS.sog, PUBLISHED_LAYOUT.sog, 'sog');
    const items = manifests.get('Metadata')?.outputs.filter((o) => o.role === METADATA_OUTPUTS.item) ?? [];
    for (const item of items) {
      const id = item.key
        .split('/')
        .pop()!
        .replace(/\.json$/, '');
      copies.push({ from: item.key, to: PUBLISHED_LAYOUT.item(id), product: 'stac-item' });
    }
    const tiles = manifests.get('Tiles')?.outputs.find((o) => o.role === TILES_OUTPUTS.tiles);
    if (tiles) {
      for await (const tile of store.list(tiles.key)) {
        copies.push({
          from: tile.key,
          to: `${PUBLISHED_LAYOUT.tiles}${tile.key.slice(tiles.key.length)}`,
          product: 'tiles',
        });
      }
    }
    if (!copies.some((c) => c.product === 'stac'))
      throw new AerialError(
        'Aerial.InvalidInput',
        `job ${jobId} has no STAC metadata to publish`,
        'run the Metadata stage',
      );

    // The run id names the content: the sources' keys, sizes and ETags.
    const hash = createHash('sha256');
    const heads = new Array<ObjectInfo | undefined>(copies.length);
    await forEachLimited(copies.length, COPY_CONCURRENCY, async (k) => {
      heads[k] = await store.head(copies[k]!.from);
    });
    for (const [k, copy] of copies.entries()) {
      const head = heads[k];
      if (!head)
        throw new AerialError(
          'Aerial.InvalidInput',
          `product ${copy.from} is missing; nothing is published`,
          'rerun the stage that writes it',
        );
      hash.update(`${copy.to}\0${head.bytes}\0${head.etag}\n`);
    }
    const runId = `run-${hash.digest('hex').slice(0, 12)}`;
    const prefix = `${publishedPrefix(jobId)}/${runId}`;

    let bytes = 0;
    let copied = 0;
    await forEachLimited(copies.length, COPY_CONCURRENCY, async (k) => {
      signal.throwIfAborted();
      const copy = copies[k]!;
      const info = await copyBetween(store, copy.from, published, `${prefix}/${copy.to}`, {
        metadata: { job: jobId, run: runId, product: copy.product },
      });
      bytes += info.bytes;
      copied++;
      if (copied % COPY_CONCURRENCY === 0 || copied === copies.length)
        context.progress((copied / copies.length) * 90, `published ${copied}/${copies.length} objects`);
    });

    const item = items[0] ? ItemSchema.parse(await getJson(store, items[0].key)) : undefined;
    const mosaic = manifests.get('Orthomosaic')?.summary;
    const tileSummary = manifests.get('Tiles')?.summary;
    const bbox = z.tuple([z.number(), z.number(), z.number(), z.number()]).parse(mosaic?.bbox);
    const products: Record<string, string> = {};
    for (const copy of copies)
      if (copy.product !== 'tiles' && copy.product !== 'stac-item') products[copy.product] = copy.to;
    if (tiles) products.tiles = `${PUBLISHED_LAYOUT.tiles}{z}/{x}/{y}.webp`;
    const publication = PublicationSchema.parse({
      jobId,
      runId,
      publishedAt: new Date().toISOString(),
      prefix,
      products,
      bbox,
      footprint: item?.geometry ?? {
        type: 'Polygon',
        coordinates: [
          [
            [bbox[0], bbox[1]],
            [bbox[2], bbox[1]],
            [bbox[2], bbox[3]],
            [bbox[0], bbox[3]],
            [bbox[0], bbox[1]],
          ],
        ],
      },
      ...(typeof mosaic?.gsdCm === 'number' ? { gsdCm: mosaic.gsdCm } : {}),
      ...(typeof tileSummary?.minZoom === 'number'
        ? { minZoom: tileSummary.minZoom, maxZoom: tileSummary.maxZoom }
        : {}),
      objects: copies.length,
      bytes,
    });
    const pointer = await putJson(published, publishedPointer(jobId), publication);
    const removed = await removeOtherRuns(published, jobId, runId);
    const announced = await announce(publication, context).catch(
      (e: unknown) => `not announced: ${(e as Error).message}`,
    );
    return {
      outputs: [
        { key: publishedPointer(jobId), contentType: 'application/json', bytes: pointer.bytes, role: 'published' },
      ],
      summary: {
        runId,
        prefix,
        location: published.location,
        objects: copies.length,
        bytes,
        removedObjects: removed,
        announced,
      },
    };
  };
}

/** Deletes every published object of the job outside the current run (after the pointer moved). */
async function removeOtherRuns(store: ObjectStore, jobId: string, runId: string): Promise<number> {
  const root = `${publishedPrefix(jobId)}/`;
  const stale: string[] = [];
  for await (const object of store.list(root)) {
    const rest = object.key.slice(root.length);
    if (rest === 'current.json' || rest.startsWith(`${runId}/`)) continue;
    stale.push(object.key);
  }
  for (const key of stale) await store.delete(key);
  return stale.length;
}

/** Sends `job.published` to the configured broker (`MQTT_URL`), when there is one. */
export const announceOverMqtt: AnnouncePublication = async (publication, context) => {
  const url = context.config.MQTT_URL;
  if (!url) return 'no MQTT_URL: the Hub reads the pointer instead';
  const event: PipelineEvent = {
    type: 'job.published',
    jobId: publication.jobId,
    at: publication.publishedAt,
    publication,
  };
  // Only the event: the job's retained status belongs to whoever runs the job, still running it.
  return sendThrough(context.events, url, async (publisher) => {
    await publisher.announce(event);
    return `job.published sent to ${publisher.broker}`;
  });
};
