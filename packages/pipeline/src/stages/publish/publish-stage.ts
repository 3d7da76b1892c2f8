import {
  AerialError,
  declaredOutput,
  type PipelineEvent,
  type Publication,
  publishedPointer,
  publishedPrefix,
  type StageSummary,
} from '@aerial/contracts';
import { createHash } from 'node:crypto';
import {
  copyBetween,
  type ObjectInfo,
  type ObjectStore,
  putJson,
  sendThrough,
  type StageContext,
  type StageHandler,
} from '@aerial/runtime';
import { forEachLimited } from '../../concurrency/for-each-limited';
import { publicationOf } from './publication-record';
import { publishedCopies, type PublishedCopy, readProducedStages } from './published-copies';

/** Tells the rest of the platform (the Hub's tile database) that a job is published. */
export type AnnouncePublication = (publication: Publication, context: StageContext) => Promise<string>;

const COPY_CONCURRENCY = 16;

/**
 * Publish: copy the job's products from the work store to `published/<jobId>/<runId>/` of the
 * published store (the published bucket in the cloud, the same store locally) under the
 * documented layout,
 * then write `published/<jobId>/current.json` (the pointer) last and remove earlier runs, so that a
 * reader following the pointer sees a whole job or none. The run id is a hash of what is
 * published: rerunning a job on the same inputs writes the same keys. Only a job whose stages
 * all succeeded gets here, and Publish checks that again before it writes anything.
 */
export function publishStage(announce: AnnouncePublication = announceOverMqtt): StageHandler {
  return async (invocation, context) => {
    const { store, published, request, signal } = context;
    const { jobId } = invocation;
    const produced = await readProducedStages(store, jobId, request.preset);
    const copies = await publishedCopies(store, produced);
    if (!copies.some((c) => c.product === 'stac'))
      throw new AerialError(
        'Aerial.InvalidInput',
        `job ${jobId} has no STAC metadata to publish`,
        'run the Metadata stage',
      );

    const runId = await runIdOf(store, copies);
    const prefix = `${publishedPrefix(jobId)}/${runId}`;
    let bytes = 0;
    let copied = 0;
    await forEachLimited(copies.length, COPY_CONCURRENCY, async (k) => {
      signal.throwIfAborted();
      const copy = copies[k]!;
      const info = await copyBetween(store, copy.from, published, `${prefix}/${copy.to}`, {
        metadata: { job: jobId, run: runId, product: copy.product },
      });
      bytes += info.bytes;
      copied++;
      if (copied % COPY_CONCURRENCY === 0 || copied === copies.length)
        context.progress((copied / copies.length) * 90, `published ${copied}/${copies.length} objects`);
    });

    const publication = await publicationOf(store, { jobId, runId, prefix, copies, bytes }, produced);
    const pointer = await putJson(published, publishedPointer(jobId), publication);
    const removed = await removeOtherRuns(published, jobId, runId);
    const announced = await announce(publication, context).catch(
      (e: unknown) => `not announced: ${(e as Error).message}`,
    );
    return {
      // The pointer lives in the published store, not under the stage's folder.
      outputs: [declaredOutput('Publish', 'published', { key: publishedPointer(jobId), bytes: pointer.bytes })],
      summary: {
        runId,
        prefix,
        location: published.location,
        objects: copies.length,
        bytes,
        removedObjects: removed,
        announced,
      } satisfies StageSummary<'Publish'>,
    };
  };
}

/** The run id names the content: the sources' keys, sizes and ETags, in publishing order. */
async function runIdOf(store: ObjectStore, copies: readonly PublishedCopy[]): Promise<string> {
  const hash = createHash('sha256');
  const heads = new Array<ObjectInfo | undefined>(copies.length);
  await forEachLimited(copies.length, COPY_CONCURRENCY, async (k) => {
    heads[k] = await store.head(copies[k]!.from);
  });
  for (const [k, copy] of copies.entries()) {
    const head = heads[k];
    if (!head)
      throw new AerialError(
        'Aerial.InvalidInput',
        `product ${copy.from} is missing; nothing is published`,
        'rerun the stage that writes it',
      );
    hash.update(`${copy.to}\0${head.bytes}\0${head.etag}\n`);
  }
  return `run-${hash.digest('hex').slice(0, 12)}`;
}

/** Deletes every published object of the job outside the current run (after the pointer moved). */
async function removeOtherRuns(store: ObjectStore, jobId: string, runId: string): Promise<number> {
  const root = `${publishedPrefix(jobId)}/`;
  const stale: string[] = [];
  for await (const object of store.list(root)) {
    const rest = object.key.slice(root.length);
    if (rest === 'current.json' || rest.startsWith(`${runId}/`)) continue;
    stale.push(object.key);
  }
  for (const key of stale) await store.delete(key);
  return stale.length;
}

/** Sends `job.published` to the configured broker (`MQTT_URL`), when there is one. */
export const announceOverMqtt: AnnouncePublication = async (publication, context) => {
  const url = context.config.MQTT_URL;
  if (!url) return 'no MQTT_URL: the Hub reads the pointer instead';
  const event: PipelineEvent = {
    type: 'job.published',
    jobId: publication.jobId,
    at: publication.publishedAt,
    publication,
  };
  // Only the event: the job's retained status belongs to whoever runs the job, still running it.
  return sendThrough(context.events, url, async (publisher) => {
    await publisher.announce(event);
    return `job.published sent to ${publisher.broker}`;
  });
};
