import {
  type FootprintRecord,
  FootprintRecordSchema,
  type ImageRecord,
  ImageRecordSchema,
  type StageName,
  type StageSummary,
} from '@aerial/contracts';
import { z } from 'zod';
import { type ObjectStore, optionalStageOutputs, type StageOutputs, stageOutputs } from '@aerial/runtime';

/** The stages whose outputs become catalogued products, when they ran. */
export type ProductStages = ReadonlyMap<StageName, StageOutputs<StageName>>;

/** What Metadata reads: the images, their footprints, the mosaic, and the stages with products. */
export interface MetadataInputs {
  readonly records: ImageRecord[];
  readonly footprints: FootprintRecord[];
  readonly mosaic: StageOutputs<'Orthomosaic'>;
  readonly mosaicSummary: StageSummary<'Orthomosaic'>;
  readonly sfmSummary?: StageSummary<'SfM'>;
  readonly splatSummary?: StageSummary<'Splat'>;
  /** Footprints, Orthomosaic and Tiles; SfM, Splat and Compress when all three ran (the 3D model). */
  readonly products: ProductStages;
}

export async function readMetadataInputs(store: ObjectStore, jobId: string): Promise<MetadataInputs> {
  const ingest = await stageOutputs(store, jobId, 'Ingest');
  const records = await ingest.json('image-records', z.array(ImageRecordSchema));
  const footprintsOutputs = await stageOutputs(store, jobId, 'Footprints');
  const footprints = await footprintsOutputs.json('footprints', z.array(FootprintRecordSchema));
  const mosaic = await stageOutputs(store, jobId, 'Orthomosaic');
  const tiles = await stageOutputs(store, jobId, 'Tiles');
  const mosaicSummary = mosaic.summary();
  const sfm = await optionalStageOutputs(store, jobId, 'SfM');
  const splat = await optionalStageOutputs(store, jobId, 'Splat');
  const compress = await optionalStageOutputs(store, jobId, 'Compress');
  const products = new Map<StageName, StageOutputs<StageName>>([
    ['Footprints', footprintsOutputs],
    ['Orthomosaic', mosaic],
    ['Tiles', tiles],
  ]);
  const model3d = sfm && splat && compress;
  if (model3d) for (const outputs of [sfm, splat, compress]) products.set(outputs.stage, outputs);
  return {
    records,
    footprints,
    mosaic,
    mosaicSummary,
    ...(model3d ? { sfmSummary: sfm.summary(), splatSummary: splat.summary() } : {}),
    products,
  };
}
