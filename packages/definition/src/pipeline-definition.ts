import { PIPELINE_NAME, type Preset, STAGE_IO, type StageName, type StageRead } from '@aerial/contracts';

/** How a stage runs: a container job (AWS Batch / Argo pod) or a light function (Lambda). */
export type StageKind = 'container' | 'function';

export interface StageResources {
  readonly vcpu: number;
  readonly memoryMiB: number;
  readonly gpu: number;
}

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  readonly intervalSeconds: number;
  readonly backoffRate: number;
}

/** One stage as data: what runs, where, with what, and for how long. */
export interface StageDefinition {
  readonly name: StageName;
  readonly description: string;
  readonly kind: StageKind;
  /** Container image (repository name) of `apps/workers` that holds the stage's entrypoint. */
  readonly image: string;
  readonly resources: StageResources;
  readonly timeoutSeconds: number;
  readonly retry: RetryPolicy;
  /** Outputs of earlier stages it reads (from its declaration in `@aerial/contracts`' `STAGE_IO`). */
  readonly reads: readonly StageRead[];
  /** Roles of the objects it writes under `jobs/<jobId>/<stage>/` (from the same declaration). */
  readonly writes: readonly string[];
  /** Presets that include this stage. */
  readonly presets: readonly Preset[];
}

/** A step of the flow: one stage, or branches that run in parallel (each a chain of stages). */
export type FlowStep = StageName | { readonly parallel: string; readonly branches: readonly (readonly StageName[])[] };

export interface PipelineDefinition {
  readonly name: string;
  /** Whole-job limit. */
  readonly timeoutSeconds: number;
  readonly stages: readonly StageDefinition[];
  readonly flow: readonly FlowStep[];
  /** Runs at the end on success and on failure. */
  readonly notify: StageName;
}

const ALL: readonly Preset[] = ['survey', 'map', 'full', '3d'];
const MAP: readonly Preset[] = ['map', 'full'];
const THREE_D: readonly Preset[] = ['full', '3d'];

const quick: RetryPolicy = { attempts: 3, intervalSeconds: 2, backoffRate: 2 };
const heavy: RetryPolicy = { attempts: 2, intervalSeconds: 30, backoffRate: 2 };

const cpu = (vcpu: number, memoryMiB: number): StageResources => ({ vcpu, memoryMiB, gpu: 0 });

/** A stage with the reads and writes its I/O declaration gives it. */
const declared = (stage: Omit<StageDefinition, 'reads' | 'writes'>): StageDefinition => ({
  ...stage,
  reads: STAGE_IO[stage.name].reads,
  writes: STAGE_IO[stage.name].outputs.map((o) => o.role),
});

/** The Aerial job. Every engine renders from this one value. */
export const AERIAL_PIPELINE: PipelineDefinition = {
  name: PIPELINE_NAME,
  timeoutSeconds: 2 * 60 * 60,
  notify: 'Notify',
  flow: [
    'GuardBudget',
    'Ingest',
    'Footprints',
    // SfM first when the preset has it: the Orthomosaic places images from its poses.
    'SfM',
    {
      parallel: 'Products',
      branches: [
        ['Orthomosaic', 'Tiles'],
        ['Splat', 'Compress'],
      ],
    },
    'Metadata',
    'Publish',
  ],
  stages: [
    declared({
      name: 'GuardBudget',
      description: "estimate the job's cost and refuse it when the environment's budget would be exceeded",
      kind: 'function',
      image: 'aerial-worker-light',
      resources: cpu(0.25, 512),
      timeoutSeconds: 60,
      retry: quick,
      presets: ALL,
    }),
    declared({
      name: 'Ingest',
      description: 'unpack, validate each file, read EXIF/XMP, run quality checks',
      kind: 'container',
      image: 'aerial-worker-ingest',
      resources: cpu(2, 4096),
      timeoutSeconds: 30 * 60,
      retry: quick,
      presets: ALL,
    }),
    declared({
      // Footprints are measured from the photos (matched against their overlapping neighbours and
      // fitted to GPS), so photo sets without DJI's XMP get them too; the registration is kept
      // for the Orthomosaic. It needs the mosaic image's OpenCV and its threads.
      name: 'Footprints',
      description: 'register overlapping photos, then ground footprint, GSD, height, heading and overlap per image',
      kind: 'container',
      image: 'aerial-worker-mosaic',
      resources: cpu(2, 4096),
      timeoutSeconds: 30 * 60,
      retry: quick,
      presets: ALL,
    }),
    declared({
      name: 'Orthomosaic',
      description: 'blend the registered photos into a mosaic at their own resolution in UTM (COG)',
      kind: 'container',
      image: 'aerial-worker-mosaic',
      resources: cpu(4, 16384),
      timeoutSeconds: 60 * 60,
      retry: heavy,
      presets: MAP,
    }),
    declared({
      name: 'Tiles',
      description: 'XYZ map tiles and TileJSON from the orthomosaic',
      kind: 'container',
      image: 'aerial-worker-mosaic',
      resources: cpu(2, 8192),
      timeoutSeconds: 30 * 60,
      retry: heavy,
      presets: MAP,
    }),
    declared({
      name: 'SfM',
      description: 'structure from motion with COLMAP, geo-registered to GPS',
      kind: 'container',
      image: 'aerial-worker-sfm',
      resources: cpu(4, 16384),
      timeoutSeconds: 90 * 60,
      retry: heavy,
      presets: THREE_D,
    }),
    declared({
      name: 'Splat',
      description: '3D Gaussian splatting from the SfM model',
      kind: 'container',
      image: 'aerial-worker-splat',
      resources: { vcpu: 4, memoryMiB: 30720, gpu: 1 },
      timeoutSeconds: 90 * 60,
      retry: heavy,
      presets: THREE_D,
    }),
    declared({
      name: 'Compress',
      description: 'compress the splats to SOG',
      kind: 'container',
      image: 'aerial-worker-splat',
      resources: cpu(2, 8192),
      timeoutSeconds: 30 * 60,
      retry: heavy,
      presets: THREE_D,
    }),
    declared({
      name: 'Metadata',
      description: 'STAC items and collection, GeoParquet catalog, sun and weather enrichment',
      kind: 'container',
      image: 'aerial-worker-light',
      resources: cpu(1, 2048),
      timeoutSeconds: 15 * 60,
      retry: quick,
      presets: MAP,
    }),
    declared({
      name: 'Publish',
      description: 'copy products to the published location, record them, announce them',
      kind: 'container',
      image: 'aerial-worker-light',
      resources: cpu(1, 2048),
      timeoutSeconds: 30 * 60,
      retry: quick,
      presets: MAP,
    }),
    declared({
      name: 'Notify',
      description: 'tell the user how the job ended (webhook, email, MQTT)',
      kind: 'function',
      image: 'aerial-worker-light',
      resources: cpu(0.25, 512),
      timeoutSeconds: 60,
      retry: quick,
      presets: ALL,
    }),
  ],
};

/** The stage with this name; throws for a name the definition lacks. */
export function stageOf(definition: PipelineDefinition, name: StageName): StageDefinition {
  const stage = definition.stages.find((s) => s.name === name);
  if (!stage) throw new Error(`pipeline "${definition.name}" has no stage "${name}"`);
  return stage;
}

/** Stages a preset runs, in flow order (Notify last). */
export function stagesFor(definition: PipelineDefinition, preset: Preset): StageName[] {
  const order = definition.flow.flatMap((step) => (typeof step === 'string' ? [step] : step.branches.flat()));
  return [...order, definition.notify].filter((name) => stageOf(definition, name).presets.includes(preset));
}

/** Checks that the flow names every stage once and that reads point backwards. */
export function validateDefinition(definition: PipelineDefinition): void {
  const names = definition.stages.map((s) => s.name);
  const inFlow = [
    ...definition.flow.flatMap((step) => (typeof step === 'string' ? [step] : step.branches.flat())),
    definition.notify,
  ];
  const missing = names.filter((n) => !inFlow.includes(n));
  const twice = inFlow.filter((n, i) => inFlow.indexOf(n) !== i);
  const unknown = inFlow.filter((n) => !names.includes(n));
  if (missing.length || twice.length || unknown.length) {
    throw new Error(
      `pipeline "${definition.name}" flow is inconsistent: missing ${missing.join(', ') || 'none'}; twice ${twice.join(', ') || 'none'}; unknown ${unknown.join(', ') || 'none'}`,
    );
  }
  for (const stage of definition.stages) {
    if (stage.timeoutSeconds < 60)
      throw new Error(`stage ${stage.name}: timeout must be at least 60 s (the AWS Batch minimum)`);
    if (stage.retry.attempts < 1 || stage.retry.attempts > 10)
      throw new Error(`stage ${stage.name}: retry attempts must be 1 to 10`);
  }
  checkReads(definition);
}

/**
 * Every read names a role its stage writes, and that stage runs earlier: before the reader in the
 * flow, in the reader's own branch or before the parallel step (a sibling branch runs alongside,
 * so its outputs may not exist yet). A read that is not optional also needs its stage in every
 * preset of the reader.
 */
function checkReads(definition: PipelineDefinition): void {
  const earlier = stagesBefore(definition);
  for (const stage of definition.stages) {
    for (const read of stage.reads) {
      const source = definition.stages.find((s) => s.name === read.stage);
      if (!source) throw new Error(`stage ${stage.name} reads unknown stage ${read.stage}`);
      if (!source.writes.includes(read.role))
        throw new Error(
          `stage ${stage.name} reads "${read.role}" of ${read.stage}, which declares no such output (it writes ${source.writes.join(', ') || 'nothing'})`,
        );
      if (!earlier.get(stage.name)?.has(read.stage))
        throw new Error(`stage ${stage.name} reads "${read.role}" of ${read.stage}, which does not run before it`);
      const absent = stage.presets.filter((p) => !source.presets.includes(p));
      if (!read.optional && absent.length)
        throw new Error(
          `stage ${stage.name} needs "${read.role}" of ${read.stage}, which preset ${absent.join(', ')} does not run; mark the read optional or add the preset`,
        );
    }
  }
}

/** For each stage, the stages that have finished before it starts. */
function stagesBefore(definition: PipelineDefinition): Map<StageName, Set<StageName>> {
  const before = new Map<StageName, Set<StageName>>();
  let done = new Set<StageName>();
  for (const step of definition.flow) {
    if (typeof step === 'string') {
      before.set(step, new Set(done));
      done.add(step);
      continue;
    }
    const after = new Set(done);
    for (const branch of step.branches) {
      const inBranch = new Set(done);
      for (const name of branch) {
        before.set(name, new Set(inBranch));
        inBranch.add(name);
        after.add(name);
      }
    }
    done = after;
  }
  before.set(definition.notify, new Set(done));
  return before;
}
