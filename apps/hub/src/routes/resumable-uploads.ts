import { AerialError } from '@aerial/contracts';
import { type DatasetLimits, type ObjectStore } from '@aerial/runtime';
import { FileStore } from '@tus/file-store';
import { EVENTS, Server, type Upload } from '@tus/server';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest, preHandlerHookHandler } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { join } from 'node:path';
import { z } from 'zod';
import type { DatasetsRepository } from '../db/datasets-repository';
import { admitUpload, landUpload, tusRefusal, type UploadAdmissionOptions } from '../uploads/upload-admission';
import { ErrorBodySchema } from './errors';

export interface ResumableUploadRoutesOptions {
  readonly datasets: DatasetsRepository;
  /** Where finished uploads go (the dataset's prefix), as with the multipart route. */
  readonly uploads: ObjectStore;
  readonly requireApiKey: preHandlerHookHandler;
  /** Folder where unfinished uploads are kept until their last byte arrives. */
  readonly staging: string;
  /** The pipeline's dataset bounds: a zip is checked against them on arrival. */
  readonly limits: DatasetLimits;
  /** Largest photo, bytes. @default 200 MiB */
  readonly maxFileBytes?: number;
  /** Largest zip archive, bytes. @default 2 GiB */
  readonly maxArchiveBytes?: number;
  /**
   * Upload requests per minute per client. A 1,000-photo set is 1,000 creations plus a PATCH per
   * chunk: the Hub-wide 300/min would stall it for minutes. @default 6000
   */
  readonly requestsPerMinute?: number;
  /** An unfinished upload is forgotten (its staged bytes deleted) this long after it began. @default 3 days */
  readonly expiresAfterMs?: number;
}

/** Where the tus protocol is served; an upload's URL is this plus its id. */
export const RESUMABLE_UPLOADS_PATH = '/api/uploads';
const UploadParams = z.object({
  // Ids are @tus/server's own (32 hex digits); FileStore joins them to its folder, so nothing else passes.
  uploadId: z.string().regex(/^[0-9a-f]{32}$/, 'must be an upload id (32 hex digits)'),
});
const TUS_DESCRIPTION =
  'The tus 1.0 resumable upload protocol (core, creation, creation-with-upload, termination, expiration): ' +
  'Tus-Resumable: 1.0.0; Upload-Metadata carries datasetId, filename and filetype (base64). ' +
  'See https://tus.io/protocols/resumable-upload.';

/**
 * Resumable, chunked uploads into a dataset over tus (@tus/server): a client creates an upload
 * (POST, with its size, dataset, name and type), sends it in PATCHes at the offset the Hub has
 * (HEAD tells it after a dropped connection), and the finished file lands in the dataset's prefix
 * exactly as a multipart upload would. Unfinished bytes are staged on this machine's disk
 * (FileStore appends each PATCH to one file); only a finished file enters the uploads store, so a
 * local folder and an S3 bucket behave alike. Several Hub replicas need a shared staging folder
 * (or sticky sessions) for a resumed upload to find its bytes.
 */
export const resumableUploadRoutes: FastifyPluginAsync<ResumableUploadRoutesOptions> = async (plain, options) => {
  const admission: UploadAdmissionOptions = {
    datasets: options.datasets,
    uploads: options.uploads,
    maxFileBytes: options.maxFileBytes ?? 200 * 1024 * 1024,
    maxArchiveBytes: options.maxArchiveBytes ?? 2 * 1024 * 1024 * 1024,
    limits: options.limits,
  };
  const datastore = new FileStore({
    directory: options.staging,
    expirationPeriodInMilliseconds: options.expiresAfterMs ?? 3 * 24 * 3600 * 1000,
  });
  const tus = new Server({
    path: RESUMABLE_UPLOADS_PATH,
    datastore,
    relativeLocation: true,
    // CORS stays off here as on every Hub route (the page is served by the Hub); tus' default is '*'.
    allowedOrigins: () => false,
    maxSize: Math.max(admission.maxFileBytes, admission.maxArchiveBytes),
    onUploadCreate: async (_request, upload) => {
      await admitUpload(upload.metadata, upload.sizeIsDeferred ? undefined : upload.size, admission);
      return {};
    },
    onUploadFinish: async (_request, upload) => {
      await land(upload);
      return {};
    },
    // tus's own refusals (wrong offset, too large, unknown upload) in the Hub's error body.
    onResponseError: (_request, error) => {
      if (error instanceof Error) {
        const e = AerialError.from(error);
        return tusRefusal(e, 500);
      }
      if (error.body.startsWith('{')) return error;
      const reason = error.body.trim();
      return tusRefusal(
        new AerialError('Aerial.InvalidInput', reason || `HTTP ${error.status_code}`),
        error.status_code,
      );
    },
  });
  // ApiKeys remembers verified keys (a scrypt hash per request was an upload's bottleneck) and forgets them on revoke.
  const requireApiKey = options.requireApiKey;
  const land = async (upload: Upload) => {
    const file = await admitUpload(upload.metadata, upload.size, admission);
    try {
      await landUpload(file, join(options.staging, upload.id), admission);
    } catch (e) {
      // A refused file is not resumed: its staged bytes go now.
      await datastore.remove(upload.id).catch(() => undefined);
      throw e;
    }
  };
  // A landed file's staged copy goes once the response is written: the creation handler reads
  // the upload back after onUploadFinish (for Upload-Expires).
  tus.on(EVENTS.POST_FINISH, (_request, _response, upload) => void datastore.remove(upload.id).catch(() => undefined));
  const cleanUp = setInterval(() => void tus.cleanUpExpiredUploads().catch(() => undefined), 3600_000);
  cleanUp.unref();
  plain.addHook('onClose', async () => clearInterval(cleanUp));

  // PATCH bodies (and a creation's first chunk) stream to the staging file: unparsed, so the
  // Hub's 64 KiB JSON body limit does not apply; the size limits above do.
  plain.addContentTypeParser('application/offset+octet-stream', (_request, _payload, done) => done(null));
  const handle = async (request: FastifyRequest, reply: FastifyReply) => {
    reply.hijack();
    await tus.handle(request.raw, reply.raw);
  };
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const config = { rateLimit: { max: options.requestsPerMinute ?? 6000, timeWindow: '1 minute' } };
  const common = { tags: ['datasets'], security: [{ apiKey: [] }], description: TUS_DESCRIPTION };
  app.post(
    RESUMABLE_UPLOADS_PATH,
    {
      preValidation: requireApiKey,
      config,
      schema: {
        ...common,
        summary: 'Create a resumable upload of one file into a dataset (tus)',
        response: {
          201: z.void(),
          400: ErrorBodySchema,
          401: ErrorBodySchema,
          404: ErrorBodySchema,
          413: ErrorBodySchema,
        },
      },
    },
    handle,
  );
  app.route({
    method: 'HEAD',
    url: `${RESUMABLE_UPLOADS_PATH}/:uploadId`,
    preValidation: requireApiKey,
    config,
    schema: { ...common, summary: 'How many bytes of an upload the Hub has (Upload-Offset)', params: UploadParams },
    handler: handle,
  });
  app.patch(
    `${RESUMABLE_UPLOADS_PATH}/:uploadId`,
    {
      preValidation: requireApiKey,
      config,
      schema: {
        ...common,
        summary: 'Send the next chunk of an upload at its Upload-Offset (tus)',
        params: UploadParams,
        response: { 204: z.void(), 400: ErrorBodySchema, 404: ErrorBodySchema, 409: ErrorBodySchema },
      },
    },
    handle,
  );
  app.delete(
    `${RESUMABLE_UPLOADS_PATH}/:uploadId`,
    {
      preValidation: requireApiKey,
      config,
      schema: { ...common, summary: 'Abandon an unfinished upload (tus termination)', params: UploadParams },
    },
    handle,
  );
  app.options(RESUMABLE_UPLOADS_PATH, { config, schema: { hide: true } }, handle);
};
