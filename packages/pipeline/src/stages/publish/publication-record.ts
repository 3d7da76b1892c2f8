import {
  outputDeclaration,
  type Publication,
  PublicationSchema,
  productNamed,
  publishedTilesTemplate,
  type StageName,
  type StageSummary,
} from '@aerial/contracts';
import { z } from 'zod';
import { getJson, type ObjectStore, type StageOutputs } from '@aerial/runtime';
import { type PublishedCopy } from './published-copies';

const ItemSchema = z.object({
  geometry: z.object({ type: z.literal('Polygon'), coordinates: z.array(z.array(z.tuple([z.number(), z.number()]))) }),
});

/** What a published run is: where, which products at which paths, what it covers, how much. */
export interface PublishedRun {
  readonly jobId: string;
  readonly runId: string;
  readonly prefix: string;
  readonly copies: readonly PublishedCopy[];
  readonly bytes: number;
}

/**
 * The pointer's content: products by name (one-object products at their paths, the tiles as a URL
 * template), the first STAC item's footprint (else the bbox), the mosaic's GSD and the zooms.
 */
export async function publicationOf(
  store: ObjectStore,
  run: PublishedRun,
  produced: ReadonlyMap<StageName, StageOutputs<StageName>>,
): Promise<Publication> {
  const summaryOf = <S extends StageName>(stage: S) =>
    (produced.get(stage) as StageOutputs<S> | undefined)?.summary() as StageSummary<S> | undefined;
  const firstItem = produced.get('Metadata')?.all('stac-item')[0];
  const item = firstItem ? ItemSchema.parse(await getJson(store, firstItem.key)) : undefined;
  const mosaic = summaryOf('Orthomosaic');
  const tiles = summaryOf('Tiles');
  const bbox = z.tuple([z.number(), z.number(), z.number(), z.number()]).parse(mosaic?.bbox);
  const products: Record<string, string> = {};
  for (const copy of run.copies) {
    const p = productNamed(copy.product);
    if (outputDeclaration(p.stage, p.role).shape === 'one') products[copy.product] = copy.to;
  }
  if (produced.get('Tiles')?.find('tiles')) products.tiles = publishedTilesTemplate();
  return PublicationSchema.parse({
    jobId: run.jobId,
    runId: run.runId,
    publishedAt: new Date().toISOString(),
    prefix: run.prefix,
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
    ...(mosaic ? { gsdCm: mosaic.gsdCm } : {}),
    ...(tiles ? { minZoom: tiles.minZoom, maxZoom: tiles.maxZoom } : {}),
    objects: run.copies.length,
    bytes: run.bytes,
  });
}
