import multipart, { type MultipartFile } from '@fastify/multipart';
import { AerialError, JOB_OPTION_DEFAULTS, JobOptionsSchema, jobRequestFor } from '@aerial/contracts';
import { type ObjectStore } from '@aerial/runtime';
import type { FastifyPluginAsync, preHandlerHookHandler } from 'fastify';
import { PassThrough, type Readable } from 'node:stream';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { DatasetRow, DatasetsRepository } from '../db/datasets-repository';
import type { JobsRepository } from '../db/jobs-repository';
import type { JobEngine } from '../engine/job-engine';
import { startJob } from '../engine/start-job';
import { fileRefusal, tooLarge } from '../uploads/accepted-files';
import { ErrorBodySchema, notFound } from './errors';
import type { ZodApp } from './zod-app';

export interface DatasetRoutesOptions {
  readonly datasets: DatasetsRepository;
  /** Jobs started on a dataset are recorded (and linked to it) here. */
  readonly jobs: JobsRepository;
  readonly engine: JobEngine;
  /** Where uploads go (the engine reads `prefix` sources from the same store). */
  readonly uploads: ObjectStore;
  readonly requireApiKey: preHandlerHookHandler;
  /** Largest file accepted, bytes. @default 200 MiB */
  readonly maxFileBytes?: number;
  /** Most files in one request. @default 500 */
  readonly maxFilesPerRequest?: number;
}

const DatasetIdSchema = z.string().regex(/^ds-[a-z0-9-]{3,60}$/, 'must be a dataset id (ds-…)');
const Params = z.object({ datasetId: DatasetIdSchema });
const FileSchema = z.object({ name: z.string(), bytes: z.number().int() });
const DatasetSchema = z.object({
  datasetId: z.string(),
  label: z.string().nullable(),
  files: z.array(FileSchema),
  bytes: z.number().int(),
});

/** A dataset as it stands: its row and the files that have arrived in the uploads store. */
interface DescribedDataset {
  readonly dataset: DatasetRow;
  readonly files: z.infer<typeof FileSchema>[];
  readonly bytes: number;
}

/**
 * Uploads: create a dataset, send its files (multipart/form-data, streamed to the object store,
 * any number of requests; the page uses the resumable tus route instead), see what arrived
 * (a client resumes an interrupted set by sending only the missing files), then start a job on it.
 */
export const datasetRoutes: FastifyPluginAsync<DatasetRoutesOptions> = async (plain, options) => {
  const maxFileBytes = options.maxFileBytes ?? 200 * 1024 * 1024;
  await plain.register(multipart, {
    limits: { fileSize: maxFileBytes, files: options.maxFilesPerRequest ?? 500, fields: 10, parts: 1000 },
  });
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const describe = async (datasetId: string): Promise<DescribedDataset> => {
    const dataset = await options.datasets.dataset(datasetId);
    if (!dataset) throw notFound(`dataset ${datasetId}`);
    const files: z.infer<typeof FileSchema>[] = [];
    for await (const object of options.uploads.list(dataset.prefix))
      files.push({ name: object.key.slice(dataset.prefix.length), bytes: object.bytes });
    const bytes = files.reduce((s, f) => s + f.bytes, 0);
    await options.datasets.updateDatasetTotals(datasetId, files.length, bytes);
    return { dataset, files, bytes };
  };
  datasetReadWriteRoutes(app, options, describe, maxFileBytes);
  datasetJobRoutes(app, options, describe);
};

/** Create a dataset, see what arrived, upload files into it. */
function datasetReadWriteRoutes(
  app: ZodApp,
  options: DatasetRoutesOptions,
  describe: (datasetId: string) => Promise<DescribedDataset>,
  maxFileBytes: number,
): void {
  app.post(
    '/api/datasets',
    {
      preValidation: options.requireApiKey,
      schema: {
        summary: 'Create a dataset to upload photos into',
        tags: ['datasets'],
        security: [{ apiKey: [] }],
        body: z.object({ label: z.string().max(200).optional() }).default({}),
        response: { 201: z.object({ datasetId: z.string(), upload: z.string() }), 401: ErrorBodySchema },
      },
    },
    async (request, reply) => {
      const datasetId = `ds-${new Date().toISOString().slice(0, 10).replace(/-/g, '')}-${randomBytes(4).toString('hex')}`;
      await options.datasets.createDataset(datasetId, `uploads/${datasetId}/`, request.body.label);
      return reply.code(201).send({ datasetId, upload: `/api/datasets/${datasetId}/files` });
    },
  );

  app.get(
    '/api/datasets/:datasetId',
    {
      schema: {
        summary: 'A dataset and the files that have arrived',
        tags: ['datasets'],
        params: Params,
        response: { 200: DatasetSchema, 404: ErrorBodySchema },
      },
    },
    async (request) => {
      const { dataset, files, bytes } = await describe(request.params.datasetId);
      return { datasetId: dataset.datasetId, label: dataset.label, files, bytes };
    },
  );

  app.post(
    '/api/datasets/:datasetId/files',
    {
      preValidation: options.requireApiKey,
      schema: {
        summary: 'Upload files (multipart/form-data; JPEG, TIFF or zip)',
        tags: ['datasets'],
        security: [{ apiKey: [] }],
        params: Params,
        consumes: ['multipart/form-data'],
        response: { 201: DatasetSchema, 400: ErrorBodySchema, 404: ErrorBodySchema, 413: ErrorBodySchema },
      },
    },
    async (request, reply) => {
      const dataset = await options.datasets.dataset(request.params.datasetId);
      if (!dataset) throw notFound(`dataset ${request.params.datasetId}`);
      if (!request.isMultipart())
        throw Object.assign(new AerialError('Aerial.InvalidInput', 'files must be sent as multipart/form-data'), {
          statusCode: 415,
        });
      const received = await storeParts(
        request.files()[Symbol.asyncIterator](),
        dataset,
        options.uploads,
        maxFileBytes,
      );
      if (received === 0)
        throw new AerialError(
          'Aerial.InvalidInput',
          'the request holds no files',
          'send each file as a multipart/form-data part with a file name',
        );
      const { files, bytes } = await describe(dataset.datasetId);
      return reply.code(201).send({ datasetId: dataset.datasetId, label: dataset.label, files, bytes });
    },
  );
}

/** Start a job on an uploaded dataset. */
function datasetJobRoutes(
  app: ZodApp,
  options: DatasetRoutesOptions,
  describe: (datasetId: string) => Promise<DescribedDataset>,
): void {
  app.post(
    '/api/datasets/:datasetId/jobs',
    {
      preValidation: options.requireApiKey,
      schema: {
        summary: 'Start a job on an uploaded dataset',
        tags: ['datasets'],
        security: [{ apiKey: [] }],
        params: Params,
        // The job's options are the contract's (and its defaults), so an option added there is taken here too.
        body: JobOptionsSchema.default(JOB_OPTION_DEFAULTS),
        response: {
          202: z.object({ jobId: z.string(), executionArn: z.string() }),
          400: ErrorBodySchema,
          404: ErrorBodySchema,
        },
      },
    },
    async (request, reply) => {
      const { dataset, files } = await describe(request.params.datasetId);
      if (files.length === 0)
        throw new AerialError(
          'Aerial.InvalidInput',
          `dataset ${dataset.datasetId} has no files yet`,
          'upload photos first',
        );
      const jobRequest = jobRequestFor(
        { kind: 'prefix', prefix: dataset.prefix },
        { ...request.body, label: request.body.label ?? dataset.label ?? undefined },
      );
      const started = await startJob(options, jobRequest);
      await options.jobs.linkJobToDataset(started.jobId, dataset.datasetId);
      return reply.code(202).send(started);
    },
  );
}

/**
 * Streams each part of a multipart body into the dataset's prefix, refusing unsafe names, other
 * types and files over the limit (deleted again). Returns how many parts there were.
 */
async function storeParts(
  parts: AsyncIterator<MultipartFile>,
  dataset: DatasetRow,
  uploads: ObjectStore,
  maxFileBytes: number,
): Promise<number> {
  let received = 0;
  for (;;) {
    let next: IteratorResult<MultipartFile>;
    try {
      next = await parts.next();
    } catch (e) {
      throw malformed(e);
    }
    if (next.done) return received;
    const part = next.value;
    received++;
    const name = acceptedName(part);
    const key = `${dataset.prefix}${name}`;
    // A body that ends mid-file destroys the part, often before the store reads it, and a
    // destroyed stream never ends a pipeline: the request hung, a .partial file stayed behind.
    await uploads.put(key, wholeFile(part.file, name), {
      contentType: part.mimetype,
      metadata: { dataset: dataset.datasetId },
    });
    if (part.file.truncated) {
      await uploads.delete(key);
      throw tooLarge(name, maxFileBytes);
    }
  }
}

/** The part's file name without folders, once it is a safe name of a photo or archive type. */
function acceptedName(part: MultipartFile): string {
  const name = part.filename.split(/[\\/]/).pop() ?? '';
  const refusal = fileRefusal(name, part.mimetype, part.filename);
  if (refusal) {
    part.file.resume();
    throw refusal;
  }
  return name;
}

/**
 * A part's bytes that fail, rather than stop, when the part is cut short: the stream is destroyed
 * (the request ended or was aborted mid-file) or errors before its end.
 */
function wholeFile(file: Readable, filename: string): Readable {
  const out = new PassThrough();
  // The error reaches whoever reads `out`; without a listener it would be thrown at the process.
  out.on('error', () => undefined);
  let ended = file.readableEnded;
  const cut = () =>
    out.destroy(
      new AerialError(
        'Aerial.InvalidInput',
        `${filename} was cut short: the upload ended before the file did`,
        'send the file again',
      ),
    );
  file.once('end', () => (ended = true));
  file.once('error', cut);
  file.once('close', () => {
    if (!ended) cut();
  });
  if (file.destroyed && !ended) cut();
  else file.pipe(out);
  return out;
}

/** A body the multipart parser refuses (no boundary, cut short) is bad input, not a Hub fault. */
function malformed(e: unknown): unknown {
  if (e instanceof AerialError || (e as { statusCode?: number }).statusCode !== undefined) return e;
  return new AerialError(
    'Aerial.InvalidInput',
    `the upload is not well-formed multipart/form-data (${(e as Error).message})`,
    'send the files as multipart/form-data with a boundary, each part complete',
  );
}
