import { AerialError, keys, type Preset, PRODUCTS, type StageName, outputDeclaration } from '@aerial/contracts';
import { AERIAL_PIPELINE, stagesFor } from '@aerial/definition';
import { type ObjectStore, type StageOutputs, stageOutputs } from '@aerial/runtime';

/** One object to publish: from the work store to a path under the run, tagged with its product. */
export interface PublishedCopy {
  readonly from: string;
  readonly to: string;
  readonly product: string;
}

/** What every stage before Publish wrote, by stage; refuses a job with a failed stage. */
export async function readProducedStages(
  store: ObjectStore,
  jobId: string,
  preset: Preset,
): Promise<Map<StageName, StageOutputs<StageName>>> {
  const expected = stagesFor(AERIAL_PIPELINE, preset).filter((s) => s !== 'Publish' && s !== 'Notify');
  const produced = new Map<StageName, StageOutputs<StageName>>();
  for (const stage of expected) {
    if (await store.head(keys.stageError(jobId, stage)))
      throw new AerialError(
        'Aerial.InvalidInput',
        `stage ${stage} of job ${jobId} failed; nothing is published`,
        'fix the failure and rerun the job',
      );
    produced.set(stage, await stageOutputs(store, jobId, stage));
  }
  return produced;
}

/**
 * The copies that publish the job, in the product table's order (the run id hashes them in it):
 * each product its stage wrote, a role of many objects object by object, a prefix by listing it.
 */
export async function publishedCopies(
  store: ObjectStore,
  produced: ReadonlyMap<StageName, StageOutputs<StageName>>,
): Promise<PublishedCopy[]> {
  const copies: PublishedCopy[] = [];
  for (const p of PRODUCTS) {
    const outputs = produced.get(p.stage);
    if (!outputs) continue;
    const { shape } = outputDeclaration(p.stage, p.role);
    if (shape === 'one') {
      const output = outputs.find(p.role);
      if (output) copies.push({ from: output.key, to: p.path, product: p.name });
    } else if (shape === 'many') {
      for (const output of outputs.all(p.role))
        copies.push({ from: output.key, to: `${p.path}${output.key.split('/').pop()!}`, product: p.name });
    } else {
      const folder = outputs.find(p.role);
      if (!folder) continue;
      for await (const object of store.list(folder.key))
        copies.push({ from: object.key, to: `${p.path}${object.key.slice(folder.key.length)}`, product: p.name });
    }
  }
  return copies;
}
