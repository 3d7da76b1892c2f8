import {
  AerialError,
  keys,
  type StageManifest,
  type StageName,
  type StageOutput,
  type StageRole,
  type StageSummary,
  stageSummarySchema,
} from '@aerial/contracts';
import { type z } from 'zod';
import { getJson, type ObjectStore } from './object-store/object-store';
import { readManifest } from './stage-runtime';

/**
 * What an earlier stage wrote, read through its I/O declaration (`STAGE_IO` in
 * `@aerial/contracts`): roles are typed per stage, the summary by the stage's schema. One manifest
 * read serves every output a reader takes from that stage.
 */
export class StageOutputs<S extends StageName> {
  constructor(
    private readonly store: ObjectStore,
    readonly manifest: StageManifest & { readonly stage: S },
  ) {}

  get stage(): S {
    return this.manifest.stage;
  }

  /** The one output with `role`; a stage that ran without it fails the reader as invalid input. */
  output(role: StageRole<S>): StageOutput {
    const output = this.find(role);
    if (!output)
      throw new AerialError(
        'Aerial.InvalidInput',
        `${this.stage} manifest of job ${this.manifest.jobId} has no "${role}" output`,
        `rerun ${this.stage}`,
      );
    return output;
  }

  /** The output with `role`, or undefined when the stage wrote none. */
  find(role: StageRole<S>): StageOutput | undefined {
    return this.manifest.outputs.find((o) => o.role === role);
  }

  /** Every output with `role` (a role of many objects, e.g. Metadata's STAC items). */
  all(role: StageRole<S>): StageOutput[] {
    return this.manifest.outputs.filter((o) => o.role === role);
  }

  /** The JSON object written as `role`, validated with `schema`. */
  async json<T extends z.ZodType>(role: StageRole<S>, schema: T): Promise<z.output<T>> {
    const value = await getJson(this.store, this.output(role).key);
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    throw invalid(`${this.stage} "${role}"`, parsed.error, this.stage);
  }

  /** The summary, validated with the stage's schema. */
  summary(): StageSummary<S> {
    const parsed = stageSummarySchema(this.stage).safeParse(this.manifest.summary);
    if (parsed.success) return parsed.data as StageSummary<S>;
    throw invalid(`${this.stage} summary`, parsed.error, this.stage);
  }
}

function invalid(what: string, error: z.ZodError, stage: StageName): AerialError {
  const problems = error.issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`);
  return new AerialError('Aerial.InvalidInput', `invalid ${what}: ${problems.join('; ')}`, `rerun ${stage}`);
}

/** What `stage` wrote for the job; fails as invalid input when it has not run. */
export async function stageOutputs<S extends StageName>(
  store: ObjectStore,
  jobId: string,
  stage: S,
): Promise<StageOutputs<S>> {
  return new StageOutputs(store, (await readManifest(store, jobId, stage)) as StageManifest & { stage: S });
}

/** What `stage` wrote, or undefined when it did not run for the job (a stage outside its preset). */
export async function optionalStageOutputs<S extends StageName>(
  store: ObjectStore,
  jobId: string,
  stage: S,
): Promise<StageOutputs<S> | undefined> {
  return (await store.head(keys.manifest(jobId, stage))) ? stageOutputs(store, jobId, stage) : undefined;
}

/** The one output `stage` wrote as `role`. */
export async function readStageOutput<S extends StageName>(
  store: ObjectStore,
  jobId: string,
  stage: S,
  role: StageRole<S>,
): Promise<StageOutput> {
  return (await stageOutputs(store, jobId, stage)).output(role);
}

/** Every output `stage` wrote as `role` (many objects, or one prefix). */
export async function readStageOutputs<S extends StageName>(
  store: ObjectStore,
  jobId: string,
  stage: S,
  role: StageRole<S>,
): Promise<StageOutput[]> {
  return (await stageOutputs(store, jobId, stage)).all(role);
}

/** The summary `stage` reported, typed by its schema. */
export async function readStageSummary<S extends StageName>(
  store: ObjectStore,
  jobId: string,
  stage: S,
): Promise<StageSummary<S>> {
  return (await stageOutputs(store, jobId, stage)).summary();
}

/** The JSON object `stage` wrote as `role`, validated with `schema`. */
export async function readJsonOutput<S extends StageName, T extends z.ZodType>(
  store: ObjectStore,
  jobId: string,
  stage: S,
  role: StageRole<S>,
  schema: T,
): Promise<z.output<T>> {
  return (await stageOutputs(store, jobId, stage)).json(role, schema);
}
