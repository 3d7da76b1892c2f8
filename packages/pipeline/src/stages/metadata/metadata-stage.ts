import {
  type CatalogProductRow,
  FootprintRecordSchema,
  ImageRecordSchema,
  keys,
  parseAtBoundary,
  type StageManifest,
  type StageName,
} from '@aerial/contracts';
import { z } from 'zod';
import { getJson, type ObjectStore, putJson } from '@aerial/runtime';
import { COMPRESS_OUTPUTS } from '../compress/compress-stage';
import { FOOTPRINTS_OUTPUTS } from '../footprints/footprints-stage';
import { INGEST_OUTPUTS } from '../ingest/ingest-stage';
import { ORTHOMOSAIC_OUTPUTS } from '../orthomosaic/orthomosaic-stage';
import { SFM_OUTPUTS } from '../sfm/sfm-stage';
import { SPLAT_OUTPUTS } from '../splat/splat-stage';
import { outputKey, readManifest, type StageHandler } from '@aerial/runtime';
import { TILES_OUTPUTS } from '../tiles/tiles-stage';
import { round } from '../tools/round';
import { type CatalogColumn, writeGeoParquet } from './geoparquet';
import { PUBLISHED_LAYOUT, type RuntimeConfig } from '@aerial/contracts';
import {
  type Bbox,
  coverage,
  fromItem,
  PROJECTION_EXTENSION,
  RASTER_EXTENSION,
  stacCollection,
  stacItem,
} from './stac';
import { captureInstant, sunAtCapture } from './sun-position';
import { type WeatherObservation, type WeatherProvider, weatherProviderOf } from './weather';

export const METADATA_OUTPUTS = {
  collection: 'stac-collection',
  item: 'stac-item',
  catalogImages: 'catalog-images',
  catalogProducts: 'catalog-products',
  enrichment: 'enrichment',
} as const;

const MosaicSummary = z.object({
  zoom: z.number(),
  gsdCm: z.number(),
  widthPx: z.number().int(),
  heightPx: z.number().int(),
  bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  epsg: z.number().int().positive(),
  origin: z.tuple([z.number(), z.number()]),
  pixelSizeM: z.number().positive(),
});

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
    const ingest = await readManifest(store, jobId, 'Ingest');
    const records = parseAtBoundary(
      z.array(ImageRecordSchema),
      await getJson(store, outputKey(ingest, INGEST_OUTPUTS.records)),
      'image records',
    );
    const footprintsManifest = await readManifest(store, jobId, 'Footprints');
    const footprints = parseAtBoundary(
      z.array(FootprintRecordSchema),
      await getJson(store, outputKey(footprintsManifest, FOOTPRINTS_OUTPUTS.rows)),
      'footprints',
    );
    const mosaic = await readManifest(store, jobId, 'Orthomosaic');
    const tiles = await readManifest(store, jobId, 'Tiles');
    const mosaicSummary = parseAtBoundary(MosaicSummary, mosaic.summary, 'Orthomosaic summary');
    const sfm = await optionalManifest(store, jobId, 'SfM');
    const splat = await optionalManifest(store, jobId, 'Splat');
    const compress = await optionalManifest(store, jobId, 'Compress');

    const footprintOf = new Map(footprints.map((f) => [f.image, f]));
    const provider = weather(context.config);
    const enrichment: {
      image: string;
      capturedAt?: string;
      sun?: ReturnType<typeof sunAtCapture>;
      weather?: WeatherObservation;
    }[] = [];
    for (const [k, record] of records.entries()) {
      const f = footprintOf.get(record.name);
      const lon = f?.center[0] ?? record.gps?.longitude;
      const lat = f?.center[1] ?? record.gps?.latitude;
      const capturedAt = record.captureTime && lon !== undefined ? captureInstant(record.captureTime, lon) : undefined;
      const sun =
        record.captureTime && lon !== undefined && lat !== undefined
          ? sunAtCapture(record.captureTime, lon, lat)
          : undefined;
      let observed: WeatherObservation | undefined;
      if (provider && capturedAt && lat !== undefined && lon !== undefined) {
        observed = await provider.observe(lat, lon, capturedAt).catch(() => undefined);
      }
      enrichment.push({
        image: record.name,
        ...(capturedAt ? { capturedAt } : {}),
        ...(sun ? { sun } : {}),
        ...(observed ? { weather: observed } : {}),
      });
      context.progress(((k + 1) / records.length) * 40, `enriched ${k + 1}/${records.length} images`);
    }
    const times = enrichment.flatMap((e) => (e.capturedAt ? [e.capturedAt] : [])).sort();
    const start = times[0];
    const end = times.at(-1);
    const accepted = footprints.filter((f) => records.find((r) => r.name === f.image)?.qa.accepted);
    const area = coverage(accepted.length ? accepted : footprints);
    const bbox = mosaicSummary.bbox as Bbox;
    const camera = [records[0]?.camera.make, records[0]?.camera.model].filter(Boolean).join(' ') || undefined;
    const sunElevations = enrichment.flatMap((e) => (e.sun ? [e.sun.elevationDeg] : []));
    const commonProperties = {
      gsd: round(mosaicSummary.gsdCm / 100, 5),
      ...(camera ? { instruments: [camera] } : {}),
      'aerial:images': accepted.length,
      ...(sunElevations.length
        ? {
            'view:sun_elevation': round(sunElevations.reduce((s, v) => s + v, 0) / sunElevations.length, 2),
            'aerial:time_zone_assumed': `UTC${enrichment.find((e) => e.sun)!.sun!.utcOffsetHours >= 0 ? '+' : ''}${enrichment.find((e) => e.sun)!.sun!.utcOffsetHours} (nautical zone of the longitude; the camera recorded none)`,
          }
        : {}),
    };

    const res = mosaicSummary.pixelSizeM;
    const [originX, originY] = mosaicSummary.origin;
    const orthoId = `${jobId}-orthomosaic`;
    const items: { id: string; doc: Record<string, unknown> }[] = [
      {
        id: orthoId,
        doc: stacItem({
          id: orthoId,
          jobId,
          geometry: area,
          bbox,
          start,
          end,
          extensions: [PROJECTION_EXTENSION, RASTER_EXTENSION],
          properties: {
            title: 'Orthomosaic',
            ...commonProperties,
            'proj:epsg': mosaicSummary.epsg,
            'proj:shape': [mosaicSummary.heightPx, mosaicSummary.widthPx],
            'proj:transform': [res, 0, originX, 0, -res, originY],
            'proj:bbox': [
              originX,
              originY - mosaicSummary.heightPx * res,
              originX + mosaicSummary.widthPx * res,
              originY,
            ],
          },
          assets: {
            data: {
              href: fromItem(PUBLISHED_LAYOUT.orthomosaic),
              type: 'image/tiff; application=geotiff; profile=cloud-optimized',
              title: 'Orthomosaic (COG, RGBA)',
              roles: ['data'],
              'raster:bands': ['red', 'green', 'blue', 'alpha'].map((name) => ({
                name,
                data_type: 'uint8',
                spatial_resolution: round(mosaicSummary.gsdCm / 100, 5),
              })),
            },
            thumbnail: {
              href: fromItem(PUBLISHED_LAYOUT.preview),
              type: 'image/png',
              title: 'Preview',
              roles: ['thumbnail'],
            },
            tiles: {
              href: fromItem(PUBLISHED_LAYOUT.tilejson),
              type: 'application/json',
              title: 'XYZ tiles (TileJSON)',
              roles: ['tiles'],
            },
          },
        }),
      },
    ];
    if (sfm && splat && compress) {
      const id = `${jobId}-model-3d`;
      items.push({
        id,
        doc: stacItem({
          id,
          jobId,
          geometry: area,
          bbox,
          start,
          end,
          extensions: [],
          properties: {
            title: '3D model',
            ...commonProperties,
            'aerial:registered': sfm.summary.registered ?? null,
            'aerial:splats_trained': splat.summary.trained ?? false,
          },
          assets: {
            'sparse-model': {
              href: fromItem(PUBLISHED_LAYOUT.sparseModel),
              type: 'application/x-ply',
              title: 'Sparse point cloud (SfM)',
              roles: ['data'],
            },
            splats: {
              href: fromItem(PUBLISHED_LAYOUT.splats),
              type: 'application/x-ply',
              title: '3D Gaussian splats (PLY)',
              roles: ['data'],
            },
            sog: {
              href: fromItem(PUBLISHED_LAYOUT.sog),
              type: 'application/octet-stream',
              title: 'Compressed splats (SOG)',
              roles: ['data'],
            },
          },
        }),
      });
    }
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
    const createdAt = mosaic.finishedAt;
    // Catalog keys are relative to the published run (`published/<jobId>/<runId>/`).
    const published = (path: string) => path;
    const productRows: CatalogProductRow[] = [
      product('orthomosaic', PUBLISHED_LAYOUT.orthomosaic, mosaic, ORTHOMOSAIC_OUTPUTS.cog),
      product('preview', PUBLISHED_LAYOUT.preview, mosaic, ORTHOMOSAIC_OUTPUTS.preview),
      product('tiles', PUBLISHED_LAYOUT.tilejson, tiles, TILES_OUTPUTS.tilejson),
      product('footprints', PUBLISHED_LAYOUT.footprints, footprintsManifest, FOOTPRINTS_OUTPUTS.geojson),
      ...(sfm && splat && compress
        ? [
            product('sparse-model', PUBLISHED_LAYOUT.sparseModel, sfm, SFM_OUTPUTS.points),
            product('splats', PUBLISHED_LAYOUT.splats, splat, SPLAT_OUTPUTS.splats),
            product('sog', PUBLISHED_LAYOUT.sog, compress, COMPRESS_OUTPUTS.sog),
          ]
        : []),
    ];
    function product(
      name: CatalogProductRow['product'],
      path: string,
      manifest: StageManifest,
      role: string,
    ): CatalogProductRow {
      const output = manifest.outputs.find((o) => o.role === role)!;
      return {
        jobId,
        product: name,
        key: published(path),
        mediaType: output.contentType,
        bytes: output.bytes,
        bbox,
        gsdCm: mosaicSummary.gsdCm,
        createdAt,
      };
    }

    context.progress(60, 'writing the catalog');
    const imageColumns: CatalogColumn[] = [
      { name: 'job_id', type: 'STRING', data: records.map(() => jobId) },
      { name: 'image', type: 'STRING', data: records.map((r) => r.name) },
      { name: 'sha256', type: 'STRING', data: records.map((r) => r.sha256) },
      { name: 'accepted', type: 'BOOLEAN', data: records.map((r) => r.qa.accepted) },
      { name: 'reasons', type: 'JSON', data: records.map((r) => r.qa.reasons) },
      { name: 'captured_local', type: 'STRING', data: records.map((r) => r.captureTime ?? null) },
      { name: 'captured_at', type: 'STRING', data: enrichment.map((e) => e.capturedAt ?? null) },
      { name: 'longitude', type: 'DOUBLE', data: records.map((r) => r.gps?.longitude ?? null) },
      { name: 'latitude', type: 'DOUBLE', data: records.map((r) => r.gps?.latitude ?? null) },
      { name: 'gsd_cm', type: 'DOUBLE', data: records.map((r) => footprintOf.get(r.name)?.gsdCm ?? null) },
      {
        name: 'sun_elevation_deg',
        type: 'DOUBLE',
        data: enrichment.map((e) => (e.sun ? round(e.sun.elevationDeg, 3) : null)),
      },
      {
        name: 'sun_azimuth_deg',
        type: 'DOUBLE',
        data: enrichment.map((e) => (e.sun ? round(e.sun.azimuthDeg, 3) : null)),
      },
      { name: 'weather', type: 'JSON', data: enrichment.map((e) => e.weather ?? null) },
    ];
    const imagesParquet = await writeGeoParquet(
      imageColumns,
      records.map((r) => footprintOf.get(r.name)?.footprint ?? null),
    );
    const productColumns: CatalogColumn[] = [
      { name: 'job_id', type: 'STRING', data: productRows.map((p) => p.jobId) },
      { name: 'product', type: 'STRING', data: productRows.map((p) => p.product) },
      { name: 'key', type: 'STRING', data: productRows.map((p) => p.key) },
      { name: 'media_type', type: 'STRING', data: productRows.map((p) => p.mediaType) },
      { name: 'bytes', type: 'INT64', data: productRows.map((p) => p.bytes) },
      { name: 'gsd_cm', type: 'DOUBLE', data: productRows.map((p) => p.gsdCm ?? null) },
      { name: 'created_at', type: 'STRING', data: productRows.map((p) => p.createdAt) },
    ];
    const productsParquet = await writeGeoParquet(
      productColumns,
      productRows.map(() => area),
    );

    const prefix = keys.stage(jobId, 'Metadata');
    const outputs = [];
    const collectionInfo = await putJson(store, `${prefix}/stac/collection.json`, collection);
    outputs.push({
      key: `${prefix}/stac/collection.json`,
      contentType: 'application/json',
      bytes: collectionInfo.bytes,
      role: METADATA_OUTPUTS.collection,
    });
    for (const item of items) {
      const key = `${prefix}/stac/items/${item.id}.json`;
      const info = await store.put(key, `${JSON.stringify(item.doc, null, 2)}\n`, {
        contentType: 'application/geo+json',
      });
      outputs.push({ key, contentType: 'application/geo+json', bytes: info.bytes, role: METADATA_OUTPUTS.item });
    }
    for (const [name, body, role] of [
      ['images', imagesParquet, METADATA_OUTPUTS.catalogImages],
      ['products', productsParquet, METADATA_OUTPUTS.catalogProducts],
    ] as const) {
      const key = `${prefix}/catalog/${name}.parquet`;
      const info = await store.put(key, body, { contentType: 'application/vnd.apache.parquet' });
      outputs.push({ key, contentType: 'application/vnd.apache.parquet', bytes: info.bytes, role });
    }
    const enrichmentInfo = await putJson(store, `${prefix}/enrichment.json`, enrichment);
    outputs.push({
      key: `${prefix}/enrichment.json`,
      contentType: 'application/json',
      bytes: enrichmentInfo.bytes,
      role: METADATA_OUTPUTS.enrichment,
    });
    return {
      outputs,
      summary: {
        items: items.map((i) => i.id),
        imageRows: records.length,
        productRows: productRows.length,
        captured: start && end ? [start, end] : null,
        sunElevationDeg: sunElevations.length
          ? [round(Math.min(...sunElevations), 2), round(Math.max(...sunElevations), 2)]
          : null,
        weather: provider?.name ?? 'none',
      },
    };
  };
}

async function optionalManifest(
  store: ObjectStore,
  jobId: string,
  stage: StageName,
): Promise<StageManifest | undefined> {
  return (await store.head(keys.manifest(jobId, stage))) ? readManifest(store, jobId, stage) : undefined;
}
