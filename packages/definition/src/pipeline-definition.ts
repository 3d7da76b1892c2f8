import { PIPELINE_NAME, type Preset, type StageName } from '@aerial/contracts';

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
  /** Stages whose manifests this stage reads. */
  readonly reads: readonly StageName[];
  /** Roles of the objects it writes under `jobs/<jobId>/<stage>/`. */
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
    {
      name: 'GuardBudget',
      description: "estimate the job's cost and refuse it when the environment's budget would be exceeded",
      kind: 'function',
      image: 'aerial-worker-light',
      resources: cpu(0.25, 512),
      timeoutSeconds: 60,
      retry: quick,
      reads: [],
      writes: ['estimate'],
      presets: ALL,
    },
    {
      name: 'Ingest',
      description: 'unpack, validate each file, read EXIF/XMP, run quality checks',
      kind: 'container',
      image: 'aerial-worker-ingest',
      resources: cpu(2, 4096),
      timeoutSeconds: 30 * 60,
      retry: quick,
      reads: ['GuardBudget'],
      writes: ['images', 'image-records'],
      presets: ALL,
    },
    {
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
      reads: ['Ingest'],
      writes: ['footprints', 'footprints-geojson', 'registration'],
      presets: ALL,
    },
    {
      name: 'Orthomosaic',
      description: 'blend the registered photos into a mosaic at their own resolution in UTM (COG)',
      kind: 'container',
      image: 'aerial-worker-mosaic',
      resources: cpu(4, 16384),
      timeoutSeconds: 60 * 60,
      retry: heavy,
      reads: ['Ingest', 'Footprints', 'SfM'],
      writes: ['orthomosaic', 'preview'],
      presets: MAP,
    },
    {
      name: 'Tiles',
      description: 'XYZ map tiles and TileJSON from the orthomosaic',
      kind: 'container',
      image: 'aerial-worker-mosaic',
      resources: cpu(2, 8192),
      timeoutSeconds: 30 * 60,
      retry: heavy,
      reads: ['Orthomosaic'],
      writes: ['tiles', 'tilejson'],
      presets: MAP,
    },
    {
      name: 'SfM',
      description: 'structure from motion with COLMAP, geo-registered to GPS',
      kind: 'container',
      image: 'aerial-worker-sfm',
      resources: cpu(4, 16384),
      timeoutSeconds: 90 * 60,
      retry: heavy,
      reads: ['Ingest', 'Footprints'],
      writes: ['sparse-model', 'cameras'],
      presets: THREE_D,
    },
    {
      name: 'Splat',
      description: '3D Gaussian splatting from the SfM model',
      kind: 'container',
      image: 'aerial-worker-splat',
      resources: { vcpu: 4, memoryMiB: 30720, gpu: 1 },
      timeoutSeconds: 90 * 60,
      retry: heavy,
      reads: ['SfM'],
      writes: ['splats'],
      presets: THREE_D,
    },
    {
      name: 'Compress',
      description: 'compress the splats to SOG',
      kind: 'container',
      image: 'aerial-worker-splat',
      resources: cpu(2, 8192),
      timeoutSeconds: 30 * 60,
      retry: heavy,
      reads: ['Splat'],
      writes: ['sog'],
      presets: THREE_D,
    },
    {
      name: 'Metadata',
      description: 'STAC items and collection, GeoParquet catalog, sun and weather enrichment',
      kind: 'container',
      image: 'aerial-worker-light',
      resources: cpu(1, 2048),
      timeoutSeconds: 15 * 60,
      retry: quick,
      reads: ['Ingest', 'Footprints', 'Orthomosaic', 'Tiles', 'Compress'],
      writes: ['stac', 'catalog'],
      presets: MAP,
    },
    {
      name: 'Publish',
      description: 'copy products to the published location, record them, announce them',
      kind: 'container',
      image: 'aerial-worker-light',
      resources: cpu(1, 2048),
      timeoutSeconds: 30 * 60,
      retry: quick,
      reads: ['Metadata'],
      writes: ['published'],
      presets: MAP,
    },
    {
      name: 'Notify',
      description: 'tell the user how the job ended (webhook, email, MQTT)',
      kind: 'function',
      image: 'aerial-worker-light',
      resources: cpu(0.25, 512),
      timeoutSeconds: 60,
      retry: quick,
      reads: [],
      writes: ['notification'],
      presets: ALL,
    },
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
    for (const read of stage.reads) {
      if (!names.includes(read)) throw new Error(`stage ${stage.name} reads unknown stage ${read}`);
    }
  }
}
