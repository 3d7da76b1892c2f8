import { type z } from 'zod';
import { type StageManifest, StageManifestSchema, type StageOutput, keys } from '../manifest';
import { type StageName } from '../stages';
import { AerialError } from '../errors';
import { parseAtBoundary } from '../validation';
import {
  CompressSummarySchema,
  FootprintsSummarySchema,
  GuardBudgetSummarySchema,
  IngestSummarySchema,
  MetadataSummarySchema,
  NotifySummarySchema,
  OrthomosaicSummarySchema,
  PublishSummarySchema,
  SfmSummarySchema,
  SplatSummarySchema,
  TilesSummarySchema,
} from './summaries';

/** One object; many objects under one folder (one per item); or a folder read by listing it. */
export type OutputShape = 'one' | 'many' | 'prefix';

/** An output role: what the object is to its readers. */
export interface OutputDeclaration {
  readonly role: string;
  readonly description: string;
  readonly contentType: string;
  readonly shape: OutputShape;
  /**
   * Where it is written under `jobs/<jobId>/<stage>/`: the file for `one`, the folder (ending in
   * `/`) for `many` and `prefix`. Absent for an output kept elsewhere (Publish's pointer).
   */
  readonly path?: string;
}

/** An output of an earlier stage that a stage reads. */
export interface StageRead {
  readonly stage: StageName;
  readonly role: string;
  /** Read only when that stage ran in the job's preset (e.g. SfM's cameras for the Orthomosaic). */
  readonly optional?: boolean;
}

export interface StageIoDeclaration {
  readonly outputs: readonly OutputDeclaration[];
  readonly reads: readonly StageRead[];
  readonly summary: z.ZodType<Record<string, unknown>>;
}

const JSON_TYPE = 'application/json';
const PLY = 'application/x-ply';
const PARQUET = 'application/vnd.apache.parquet';
/** The Orthomosaic's media type, as STAC and GDAL name a Cloud Optimized GeoTIFF. */
export const COG_CONTENT_TYPE = 'image/tiff; application=geotiff; profile=cloud-optimized';

function one<R extends string>(role: R, path: string, contentType: string, description: string) {
  return { role, path, contentType, shape: 'one', description } as const;
}
function folder<R extends string>(
  role: R,
  shape: 'many' | 'prefix',
  path: `${string}/`,
  contentType: string,
  description: string,
) {
  return { role, path, contentType, shape, description } as const;
}
const read = (stage: StageName, role: string, optional?: true): StageRead => ({
  stage,
  role,
  ...(optional ? { optional } : {}),
});

/**
 * What each stage writes, reads and reports: the one declaration producers and readers share. The
 * pipeline definition derives its reads and writes from it (and checks that every read points to
 * an earlier stage's declared role), `runStage` refuses a result that strays from it, and
 * readers go through `@aerial/runtime`'s typed reader.
 */
export const STAGE_IO = {
  GuardBudget: {
    outputs: [one('estimate', 'estimate.json', JSON_TYPE, "the job's cost estimate and the stages it covers")],
    reads: [],
    summary: GuardBudgetSummarySchema,
  },
  Ingest: {
    outputs: [
      one(
        'image-records',
        'image-records.json',
        JSON_TYPE,
        'a record per file: metadata, QA verdict and reasons, stored key',
      ),
      // Rejected originals are not stored: their previews are made here, where the bytes are.
      one(
        'thumbnails',
        'thumbnails.json',
        JSON_TYPE,
        'small JPEG previews (data URLs) of the rejected photos that decode, for the quality report',
      ),
    ],
    reads: [],
    summary: IngestSummarySchema,
  },
  Footprints: {
    outputs: [
      one('footprints', 'footprints.json', JSON_TYPE, 'footprint rows per placed photo (tile database, later stages)'),
      one(
        'footprints-geojson',
        'footprints.geojson',
        'application/geo+json',
        'the footprints as a GeoJSON FeatureCollection',
      ),
      one('registration', 'registration.json', JSON_TYPE, 'placements and matched points for the Orthomosaic'),
    ],
    reads: [read('Ingest', 'image-records')],
    summary: FootprintsSummarySchema,
  },
  SfM: {
    outputs: [
      one(
        'cameras',
        'cameras.json',
        JSON_TYPE,
        'camera poses in an ENU frame and WGS84, with heights above the sparse ground',
      ),
      one('sparse-model', 'sparse.ply', PLY, 'the sparse points'),
      one('registration', 'registration.json', JSON_TYPE, "each image's registration and reprojection error"),
      one(
        'colmap-model',
        'model/points3D.txt',
        'text/plain',
        "COLMAP's TXT model (cameras.txt and images.txt beside it)",
      ),
    ],
    reads: [read('Ingest', 'image-records'), read('Footprints', 'footprints', true)],
    summary: SfmSummarySchema,
  },
  Orthomosaic: {
    outputs: [
      one('orthomosaic', 'orthomosaic.tif', COG_CONTENT_TYPE, 'the mosaic, RGBA, with internal overviews'),
      one('preview', 'preview.png', 'image/png', 'a 1024 px preview'),
      one('placements', 'placements.json', JSON_TYPE, 'where each photo went in the mosaic'),
    ],
    reads: [
      read('Ingest', 'image-records'),
      read('Footprints', 'footprints'),
      read('Footprints', 'registration'),
      read('SfM', 'cameras', true),
    ],
    summary: OrthomosaicSummarySchema,
  },
  Tiles: {
    outputs: [
      folder('tiles', 'prefix', 'tiles/', 'image/webp', 'XYZ tiles, `<z>/<x>/<y>.webp`'),
      one('tilejson', 'tilejson.json', JSON_TYPE, 'the TileJSON of the tiles'),
    ],
    reads: [read('Orthomosaic', 'orthomosaic')],
    summary: TilesSummarySchema,
  },
  Splat: {
    outputs: [one('splats', 'splats.ply', PLY, '3D Gaussian splats (trained, or the initialisation)')],
    reads: [read('SfM', 'colmap-model')],
    summary: SplatSummarySchema,
  },
  Compress: {
    outputs: [one('sog', 'splats.sog', 'application/octet-stream', 'the splats compressed to SOG')],
    reads: [read('Splat', 'splats')],
    summary: CompressSummarySchema,
  },
  Metadata: {
    outputs: [
      one('stac-collection', 'stac/collection.json', JSON_TYPE, "the job's STAC Collection"),
      folder('stac-item', 'many', 'stac/items/', 'application/geo+json', 'a STAC Item per product, `<id>.json`'),
      one('catalog-images', 'catalog/images.parquet', PARQUET, 'GeoParquet catalog of the images'),
      one('catalog-products', 'catalog/products.parquet', PARQUET, 'GeoParquet catalog of the products'),
      one('enrichment', 'enrichment.json', JSON_TYPE, "each image's capture instant, sun position and weather"),
      one(
        'quality-report',
        'quality-report.json',
        JSON_TYPE,
        "the job's quality report: coverage, overlap, GSD, residuals, rejected photos, camera and flight",
      ),
    ],
    reads: [
      read('Ingest', 'image-records'),
      read('Ingest', 'thumbnails'),
      read('Footprints', 'registration'),
      read('Footprints', 'footprints'),
      read('Footprints', 'footprints-geojson'),
      read('Orthomosaic', 'orthomosaic'),
      read('Orthomosaic', 'preview'),
      read('Tiles', 'tilejson'),
      read('SfM', 'sparse-model', true),
      read('Splat', 'splats', true),
      read('Compress', 'sog', true),
    ],
    summary: MetadataSummarySchema,
  },
  Publish: {
    outputs: [
      {
        role: 'published',
        contentType: JSON_TYPE,
        shape: 'one',
        description: 'the pointer to the published run, `published/<jobId>/current.json` in the published store',
      },
    ],
    reads: [
      read('Orthomosaic', 'orthomosaic'),
      read('Orthomosaic', 'preview'),
      read('Tiles', 'tilejson'),
      read('Tiles', 'tiles'),
      read('Footprints', 'footprints-geojson'),
      read('Metadata', 'stac-collection'),
      read('Metadata', 'stac-item'),
      read('Metadata', 'catalog-images'),
      read('Metadata', 'catalog-products'),
      read('Metadata', 'quality-report'),
      read('SfM', 'sparse-model', true),
      read('Splat', 'splats', true),
      read('Compress', 'sog', true),
    ],
    summary: PublishSummarySchema,
  },
  Notify: {
    outputs: [one('notification', 'notification.json', JSON_TYPE, 'what the job did and how each target was told')],
    // Notify reads every stage's summary that exists, whichever ran: no output role.
    reads: [],
    summary: NotifySummarySchema,
  },
} as const satisfies Record<StageName, StageIoDeclaration>;

type Io = typeof STAGE_IO;
/** The output roles `S` declares. */
export type StageRole<S extends StageName> = Io[S]['outputs'][number]['role'];
/** The summary `S` reports, as its schema types it. */
export type StageSummary<S extends StageName> = z.output<Io[S]['summary']>;
/** A stage's manifest with its summary typed. */
export type TypedStageManifest<S extends StageName> = Omit<StageManifest, 'stage' | 'summary'> & {
  readonly stage: S;
  readonly summary: StageSummary<S>;
};

/** The declaration of `role` in `stage`; throws for a role the stage does not declare. */
export function outputDeclaration<S extends StageName>(stage: S, role: StageRole<S>): OutputDeclaration {
  const declared = (STAGE_IO[stage].outputs as readonly OutputDeclaration[]).find((o) => o.role === role);
  if (!declared) throw new Error(`stage ${stage} declares no output "${role}"`);
  return declared;
}

/**
 * The object-store key of an output: `jobs/<jobId>/<stage>/<path>`, with `item` appended for a
 * `many` role (e.g. `<id>.json`). Also where readers find an output a failed stage left behind
 * (Ingest's records are written before it rejects a dataset).
 */
export function stageOutputKey<S extends StageName>(jobId: string, stage: S, role: StageRole<S>, item = ''): string {
  const declared = outputDeclaration(stage, role);
  if (declared.path === undefined) throw new Error(`${stage} output "${role}" is not kept under the stage's folder`);
  return `${keys.stage(jobId, stage)}/${declared.path}${item}`;
}

/** A manifest entry for an object written as `role`, its content type from the declaration. */
export function declaredOutput<S extends StageName>(
  stage: S,
  role: StageRole<S>,
  written: { readonly key: string; readonly bytes: number },
): StageOutput {
  return { key: written.key, contentType: outputDeclaration(stage, role).contentType, bytes: written.bytes, role };
}

/** Roles in `outputs` that `stage` does not declare. */
export function undeclaredRoles(stage: StageName, outputs: readonly Pick<StageOutput, 'role'>[]): string[] {
  const declared = new Set<string>(STAGE_IO[stage].outputs.map((o) => o.role));
  return [...new Set(outputs.map((o) => o.role).filter((role) => !declared.has(role)))];
}

/** The schema of a stage's summary. */
export function stageSummarySchema<S extends StageName>(stage: S): Io[S]['summary'] {
  return STAGE_IO[stage].summary;
}

/** A stage's summary typed by its schema, or undefined when it does not match (e.g. an older shape). */
export function summaryIfValid<S extends StageName>(stage: S, raw: unknown): StageSummary<S> | undefined {
  const parsed = STAGE_IO[stage].summary.safeParse(raw);
  return parsed.success ? (parsed.data as StageSummary<S>) : undefined;
}

/**
 * Parses a manifest read from the store and validates its summary with the stage's schema. The
 * stored form stays generic (`StageManifestSchema`); this is the typed view of one stage's.
 */
export function parseStageManifest<S extends StageName>(stage: S, raw: unknown): TypedStageManifest<S> {
  const manifest = parseAtBoundary(StageManifestSchema, raw, `${stage} manifest`);
  if (manifest.stage !== stage)
    throw new AerialError('Aerial.InvalidInput', `the ${stage} manifest is the manifest of ${manifest.stage}`);
  const summary = parseAtBoundary(STAGE_IO[stage].summary, manifest.summary, `${stage} summary`) as StageSummary<S>;
  return { ...manifest, stage, summary };
}
