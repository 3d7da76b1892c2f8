import { type StageName } from '@aerial/contracts';
import { compressStage } from './compress/compress-stage';
import { footprintsStage } from './footprints/footprints-stage';
import { guardBudgetStage } from '@aerial/function-stages';
import { ingestStage } from './ingest/ingest-stage';
import { metadataStage } from './metadata/metadata-stage';
import { notifyStage } from '@aerial/function-stages';
import { orthomosaicStage } from './orthomosaic/orthomosaic-stage';
import { tilesStage } from './tiles/tiles-stage';
import { publishStage } from './publish/publish-stage';
import { sfmStage } from './sfm/sfm-stage';
import { splatStage } from './splat/splat-stage';
import { type StageHandler } from '@aerial/runtime';

/**
 * The stages this build implements. A stage missing here is refused up front by GuardBudget
 * (for presets that need it) rather than failing mid-job.
 */
export const STAGE_HANDLERS: Partial<Record<StageName, StageHandler>> = {
  GuardBudget: guardBudgetStage,
  Ingest: ingestStage,
  Footprints: footprintsStage,
  Orthomosaic: orthomosaicStage,
  Tiles: tilesStage,
  SfM: sfmStage,
  Splat: splatStage,
  Compress: compressStage,
  Metadata: metadataStage(),
  Publish: publishStage(),
  Notify: notifyStage(),
};
