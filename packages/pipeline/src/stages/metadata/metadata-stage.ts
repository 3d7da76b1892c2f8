import {
  declaredOutput,
  type RuntimeConfig,
  type StageOutput,
  stageOutputKey,
  type StageSummary,
} from '@aerial/contracts';
import { type ObjectStore, putJson, type StageHandler } from '@aerial/runtime';
import { round } from '../../numbers/round';
import { imagesCatalog, productRows, productsCatalog } from './catalogs';
import { enrichImages, type ImageEnrichment } from './image-enrichment';
import { qualityReport } from './quality-report';
import { readMetadataInputs } from './metadata-inputs';
import { type Bbox, coverage, stacCollection } from './stac';
import { commonProperties, type ItemScene, modelItem, orthomosaicItem, type StacItemDocument } from './stac-items';
import { type WeatherProvider, weatherProviderOf } from './weather';

/**
 * Metadata: a STAC Collection for the job and an Item per product (projection and raster
 * extensions, footprint geometry, GSD, capture time range, camera), GeoParquet catalogs of the
 * images and the products, and each image's sun position (and weather, when a provider is set).
 * Hrefs and catalog keys point into the published layout that Publish writes.
 */
export function metadataStage(
  weather: (config: RuntimeConfig) => WeatherProvider | undefined = weatherProviderOf,
): StageHandler {
  return async (invocation, context) => {
    const { store } = context;
    const { jobId } = invocation;
    const inputs = await readMetadataInputs(store, jobId);
    const { records, footprints, mosaicSummary } = inputs;

    const footprintOf = new Map(footprints.map((f) => [f.image, f]));
    const provider = weather(context.config);
    const enrichment = await enrichImages(records, footprintOf, provider, (done) =>
      context.progress((done / records.length) * 40, `enriched ${done}/${records.length} images`),
    );
    const times = enrichment.flatMap((e) => (e.capturedAt ? [e.capturedAt] : [])).sort();
    const start = times[0];
    const end = times.at(-1);
    const accepted = footprints.filter((f) => records.find((r) => r.name === f.image)?.qa.accepted);
    const area = coverage(accepted.length ? accepted : footprints);
    const bbox = mosaicSummary.bbox as Bbox;
    const camera = [records[0]?.camera.make, records[0]?.camera.model].filter(Boolean).join(' ') || undefined;
    const scene: ItemScene = {
      jobId,
      area,
      bbox,
      start,
      end,
      properties: commonProperties(mosaicSummary.gsdCm, camera, accepted.length, enrichment),
    };
    const items = [orthomosaicItem(scene, mosaicSummary)];
    if (inputs.sfmSummary && inputs.splatSummary) items.push(modelItem(scene, inputs.sfmSummary, inputs.splatSummary));
    const collection = stacCollection({
      jobId,
      label: context.request.label,
      bbox,
      start,
      end,
      itemIds: items.map((i) => i.id),
      camera,
      images: accepted.length,
    });

    // When the products were made (not when this ran): a rerun writes identical catalogs.
    const rows = productRows(jobId, inputs.products, bbox, mosaicSummary.gsdCm, inputs.mosaic.manifest.finishedAt);
    context.progress(60, 'writing the catalog');
    const outputs = await storeMetadata(store, jobId, {
      collection,
      items,
      imagesParquet: await imagesCatalog(jobId, records, footprintOf, enrichment),
      productsParquet: await productsCatalog(rows, area),
      enrichment,
    });
    context.progress(80, 'composing the quality report');
    const report = await qualityReport(store, jobId, context.environment);
    const reportKey = stageOutputKey(jobId, 'Metadata', 'quality-report');
    const reportInfo = await putJson(store, reportKey, report);
    outputs.push(declaredOutput('Metadata', 'quality-report', { key: reportKey, bytes: reportInfo.bytes }));
    const sunElevations = enrichment.flatMap((e) => (e.sun ? [e.sun.elevationDeg] : []));
    const summary: StageSummary<'Metadata'> = {
      items: items.map((i) => i.id),
      imageRows: records.length,
      productRows: rows.length,
      captured: start && end ? [start, end] : null,
      sunElevationDeg: sunElevations.length
        ? [round(Math.min(...sunElevations), 2), round(Math.max(...sunElevations), 2)]
        : null,
      weather: provider?.name ?? 'none',
    };
    return { outputs, summary };
  };
}

/** What Metadata writes under its stage folder, in the layout Publish copies from. */
interface MetadataDocuments {
  readonly collection: Record<string, unknown>;
  readonly items: readonly StacItemDocument[];
  readonly imagesParquet: Buffer;
  readonly productsParquet: Buffer;
  readonly enrichment: readonly ImageEnrichment[];
}

async function storeMetadata(store: ObjectStore, jobId: string, docs: MetadataDocuments): Promise<StageOutput[]> {
  const outputs: StageOutput[] = [];
  const collectionKey = stageOutputKey(jobId, 'Metadata', 'stac-collection');
  const collectionInfo = await putJson(store, collectionKey, docs.collection);
  outputs.push(declaredOutput('Metadata', 'stac-collection', { key: collectionKey, bytes: collectionInfo.bytes }));
  for (const item of docs.items) {
    const key = stageOutputKey(jobId, 'Metadata', 'stac-item', `${item.id}.json`);
    const info = await store.put(key, `${JSON.stringify(item.doc, null, 2)}\n`, {
      contentType: 'application/geo+json',
    });
    outputs.push(declaredOutput('Metadata', 'stac-item', { key, bytes: info.bytes }));
  }
  for (const [role, body] of [
    ['catalog-images', docs.imagesParquet],
    ['catalog-products', docs.productsParquet],
  ] as const) {
    const key = stageOutputKey(jobId, 'Metadata', role);
    const info = await store.put(key, body, { contentType: 'application/vnd.apache.parquet' });
    outputs.push(declaredOutput('Metadata', role, { key, bytes: info.bytes }));
  }
  const enrichmentKey = stageOutputKey(jobId, 'Metadata', 'enrichment');
  const enrichmentInfo = await putJson(store, enrichmentKey, docs.enrichment);
  outputs.push(declaredOutput('Metadata', 'enrichment', { key: enrichmentKey, bytes: enrichmentInfo.bytes }));
  return outputs;
}
