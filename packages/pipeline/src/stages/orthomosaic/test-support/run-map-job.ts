import { DEFAULT_ENVIRONMENTS, type StageManifest, type StageName } from '@aerial/contracts';
import { AERIAL_PIPELINE, stagesFor } from '@aerial/definition';
import { type ObjectStore } from '@aerial/runtime';
import { STAGE_HANDLERS } from '../../stage-handlers';
import { runStage } from '@aerial/runtime';

/** The map preset's stages in flow order, Notify (the engine's exit step) aside. */
export const MAP_STAGES: StageName[] = stagesFor(AERIAL_PIPELINE, 'map').filter((s) => s !== AERIAL_PIPELINE.notify);

/** Runs the map preset's stages in order on `store`, as the engine would, and returns their manifests. */
export async function runMapJob(
  store: ObjectStore,
  jobId: string,
  photos: string,
  stages: readonly StageName[] = MAP_STAGES,
  options: { published?: ObjectStore } = {},
): Promise<Map<StageName, StageManifest>> {
  const out = new Map<StageName, StageManifest>();
  for (const [k, stage] of stages.entries()) {
    const manifest = await runStage(
      {
        jobId,
        stage,
        ...(k === 0 && stage === 'GuardBudget'
          ? {
              request: {
                source: { kind: 'folder', path: photos },
                preset: 'map',
                options: {},
                priority: 'normal',
                notify: [],
              },
            }
          : {}),
      },
      { store, ...options, environment: DEFAULT_ENVIRONMENTS.dev, handlers: STAGE_HANDLERS },
    );
    out.set(stage, manifest);
  }
  return out;
}
