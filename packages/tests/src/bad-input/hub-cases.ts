import { zipOf } from './archives';
import { photo } from './photos';

/** What a Hub case has to work with: the running Hub's key, a fresh empty dataset, a good photo. */
export interface HubContext {
  /** The Hub's base URL, for a case that needs a first request (a tus upload to send bytes to). */
  readonly url: string;
  readonly apiKey: string;
  readonly datasetId: string;
  readonly good: readonly Buffer[];
}

export interface HttpRequest {
  readonly method?: 'GET' | 'POST' | 'PATCH';
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer | FormData;
}

/**
 * One request the Hub must refuse: the status, the error's name and a message that says what was
 * wrong. `unchanged` names what must be as it was before (no job row, no file in the dataset).
 */
export interface HubCase {
  readonly target: 'hub-api' | 'hub-upload';
  readonly id: string;
  request(ctx: HubContext): HttpRequest | Promise<HttpRequest>;
  readonly expect: { readonly status: number; readonly message: RegExp; readonly name?: string };
  readonly unchanged: 'jobs' | 'dataset-files';
}

const json = (ctx: HubContext, body: unknown, path = '/api/jobs'): HttpRequest => ({
  method: 'POST',
  path,
  headers: { authorization: `Bearer ${ctx.apiKey}`, 'content-type': 'application/json' },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

const folder = { kind: 'folder', path: 'photos' };

const api = (id: string, request: HubCase['request'], status: number, message: RegExp): HubCase => ({
  target: 'hub-api',
  id,
  request,
  expect: { status, message, name: 'Aerial.InvalidInput' },
  unchanged: 'jobs',
});

/** The API: every refusal a 4xx with the named error and a message; no job row is created. */
export const apiCases: readonly HubCase[] = [
  api('malformed-json', (c) => json(c, '{"source":'), 400, /not valid JSON/),
  api('json-array-body', (c) => json(c, '[]'), 400, /body\/ Invalid input: expected object, received array/),
  api('json-null-body', (c) => json(c, 'null'), 400, /expected object, received null/),
  api('deeply-nested-json', (c) => json(c, '['.repeat(20_000) + ']'.repeat(20_000)), 400, /expected object/),
  api('prototype-pollution', (c) => json(c, '{"__proto__":{"admin":true},"source":{}}'), 400, /not valid JSON/),
  api('wrong-type-path', (c) => json(c, { source: { kind: 'folder', path: 7 } }), 400, /body\/source\/path/),
  api('unknown-source-kind', (c) => json(c, { source: { kind: 'ftp', url: 'ftp://x' } }), 400, /body\/source/),
  api('unknown-preset', (c) => json(c, { source: folder, preset: 'everything' }), 400, /body\/preset/),
  api('wrong-type-option', (c) => json(c, { source: folder, options: { maxImageSize: '4096' } }), 400, /maxImageSize/),
  api('option-out-of-range', (c) => json(c, { source: folder, options: { maxShDegree: 9 } }), 400, /maxShDegree/),
  api(
    'prefix-climbs-out',
    (c) => json(c, { source: { kind: 'prefix', prefix: 'uploads/../../etc' } }),
    400,
    /must not contain "\.\." segments/,
  ),
  api(
    'prefix-absolute',
    (c) => json(c, { source: { kind: 'prefix', prefix: '/etc' } }),
    400,
    /must be a key prefix in the uploads store/,
  ),
  api(
    'webhook-file-url',
    (c) => json(c, { source: folder, notify: [{ kind: 'webhook', url: 'file:///etc/passwd' }] }),
    400,
    /body\/notify\/0\/url/,
  ),
  api(
    'too-many-notify-targets',
    (c) => json(c, { source: folder, notify: Array.from({ length: 11 }, () => ({ kind: 'mqtt' })) }),
    400,
    /body\/notify/,
  ),
  api('label-too-long', (c) => json(c, { source: folder, label: 'x'.repeat(201) }), 400, /body\/label/),
  api('oversized-body', (c) => json(c, { source: folder, pad: 'x'.repeat(200_000) }), 413, /too large|limit/i),
  api(
    'text-plain-body',
    (c) => ({ ...json(c, 'source=x'), headers: { ...json(c, '').headers, 'content-type': 'text/plain' } }),
    400,
    /expected object/,
  ),
  {
    ...api(
      'xml-body',
      (c) => ({ ...json(c, '<job/>'), headers: { ...json(c, '').headers, 'content-type': 'application/xml' } }),
      415,
      /Unsupported Media Type/i,
    ),
    expect: { status: 415, message: /Unsupported Media Type/i },
  },
  api(
    'no-api-key',
    (c) => ({ ...json(c, { source: folder }), headers: { 'content-type': 'application/json' } }),
    401,
    /a valid API key is required/,
  ),
  api(
    'malformed-api-key',
    (c) => ({
      ...json(c, { source: folder }),
      headers: { ...json(c, '').headers, authorization: 'Bearer aerial_nope' },
    }),
    401,
    /a valid API key is required/,
  ),
  api(
    'unknown-api-key',
    (c) => ({
      ...json(c, { source: folder }),
      headers: { ...json(c, '').headers, authorization: `Bearer aerial_0123456789abcdef_${'A'.repeat(43)}` },
    }),
    401,
    /a valid API key is required/,
  ),
  api(
    'wrong-secret-for-a-real-key',
    (c) => ({
      ...json(c, { source: folder }),
      headers: { ...json(c, '').headers, authorization: `Bearer ${c.apiKey.slice(0, -43)}${'B'.repeat(43)}` },
    }),
    401,
    /a valid API key is required/,
  ),
  api(
    'basic-auth-instead-of-key',
    (c) => ({
      ...json(c, { source: folder }),
      headers: { ...json(c, '').headers, authorization: 'Basic YWRtaW46YWRtaW4=' },
    }),
    401,
    /a valid API key is required/,
  ),
  api('unknown-job', () => ({ path: '/api/jobs/job-20990101-00000000' }), 404, /no job job-20990101-00000000/),
  api('sql-looking-job-id', () => ({ path: "/api/jobs/x';DROP TABLE jobs;--" }), 400, /jobId/),
  api('path-looking-job-id', () => ({ path: '/api/jobs/..%2F..%2Fetc%2Fpasswd' }), 400, /jobId/),
  api('sql-looking-status', () => ({ path: "/api/jobs?status=x'or'1'='1" }), 400, /querystring\/status/),
  api('limit-not-a-number', () => ({ path: '/api/jobs?limit=abc' }), 400, /querystring\/limit/),
  api('limit-negative', () => ({ path: '/api/jobs?limit=-1' }), 400, /querystring\/limit Too small/),
  api('limit-huge', () => ({ path: '/api/jobs?limit=1e9' }), 400, /querystring\/limit Too big/),
  api('bbox-three-numbers', () => ({ path: '/api/reconstructions?bbox=1,2,3' }), 400, /west,south,east,north/),
  api('bbox-off-the-globe', () => ({ path: '/api/reconstructions?bbox=-200,0,0,1' }), 400, /invalid bbox/),
  api('bbox-not-numbers', () => ({ path: '/api/reconstructions?bbox=NaN,0,1,1' }), 400, /west,south,east,north/),
  api(
    'download-path-looking-product',
    () => ({ path: '/api/jobs/job-20990101-00000000/download/..%2Fsecrets' }),
    400,
    /params\/product/,
  ),
  api('tiles-path-looking-job', () => ({ path: '/tiles/..%2F..%2Fetc/1/2/3.webp' }), 400, /jobId/),
  api(
    'cancel-unknown-job',
    (c) => ({
      method: 'POST',
      path: '/api/jobs/job-20990101-00000000/cancel',
      headers: { authorization: `Bearer ${c.apiKey}` },
    }),
    404,
    /no job/,
  ),
  api(
    'retry-unknown-job',
    (c) => ({
      method: 'POST',
      path: '/api/jobs/job-20990101-00000000/retry',
      headers: { authorization: `Bearer ${c.apiKey}` },
    }),
    404,
    /no job/,
  ),
  api(
    'job-on-empty-dataset',
    (c) => json(c, {}, `/api/datasets/${c.datasetId}/jobs`),
    400,
    /dataset ds-[a-z0-9-]+ has no files yet/,
  ),
  api(
    'job-on-unknown-dataset',
    (c) => json(c, {}, '/api/datasets/ds-20990101-00000000/jobs'),
    404,
    /no dataset ds-20990101-00000000/,
  ),
  api(
    'dataset-job-wrong-option-type',
    (c) => json(c, { options: { flightHeightM: '80' } }, `/api/datasets/${c.datasetId}/jobs`),
    400,
    /body\/options\/flightHeightM/,
  ),
  api('sql-looking-dataset-id', () => ({ path: "/api/datasets/ds-1'%20OR%201=1--" }), 400, /params\/datasetId/),
];

/** A multipart request with the given files, to the context's dataset (or `path`). */
function upload(ctx: HubContext, files: [name: string, bytes: Buffer, type: string][], path?: string): HttpRequest {
  const form = new FormData();
  for (const [name, bytes, type] of files) form.append('file', new Blob([bytes], { type }), name);
  return {
    method: 'POST',
    path: path ?? `/api/datasets/${ctx.datasetId}/files`,
    headers: { authorization: `Bearer ${ctx.apiKey}` },
    body: form,
  };
}

/** A raw multipart body, for what FormData cannot send (a cut-short part, no boundary). */
function rawMultipart(ctx: HubContext, body: string, contentType = 'multipart/form-data; boundary=XX'): HttpRequest {
  return {
    method: 'POST',
    path: `/api/datasets/${ctx.datasetId}/files`,
    headers: { authorization: `Bearer ${ctx.apiKey}`, 'content-type': contentType },
    body,
  };
}

const part = (name: string, type = 'image/jpeg') =>
  `--XX\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: ${type}\r\n\r\n`;

const uploadCase = (id: string, request: HubCase['request'], status: number, message: RegExp): HubCase => ({
  target: 'hub-upload',
  id,
  request,
  expect: { status, message, ...(status === 415 ? {} : { name: 'Aerial.InvalidInput' }) },
  unchanged: 'dataset-files',
});

/** Uploads (the page's route): refused with the reason, the dataset keeps no part of the refused file. */
export const uploadCases: readonly HubCase[] = [
  uploadCase(
    'text-file',
    (c) => upload(c, [['notes.txt', photo.text(), 'text/plain']]),
    400,
    /notes\.txt is text\/plain, not a photo or a zip archive/,
  ),
  uploadCase(
    'png-file',
    async (c) => upload(c, [['shot.png', await photo.png(c.good[0]!), 'image/png']]),
    400,
    /image\/png, not a photo/,
  ),
  uploadCase(
    'heic-file',
    (c) => upload(c, [['IMG_1.HEIC', photo.heic(), 'image/heic']]),
    400,
    /image\/heic, not a photo/,
  ),
  uploadCase(
    'dot-dot-name',
    (c) => upload(c, [['..', c.good[0]!, 'image/jpeg']]),
    400,
    // busboy keeps only the base name of a part's file name: ".." arrives as "".
    /file name "" is not allowed/,
  ),
  uploadCase(
    'hidden-name',
    (c) => upload(c, [['.bashrc', c.good[0]!, 'image/jpeg']]),
    400,
    /file name "\.bashrc" is not allowed/,
  ),
  uploadCase(
    'name-too-long',
    (c) => upload(c, [[`${'a'.repeat(240)}.jpg`, c.good[0]!, 'image/jpeg']]),
    400,
    /is not allowed/,
  ),
  uploadCase(
    'name-with-shell-characters',
    (c) => upload(c, [['$(reboot).jpg', c.good[0]!, 'image/jpeg']]),
    400,
    /is not allowed/,
  ),
  uploadCase(
    'not-multipart',
    (c) => json(c, { file: 'x' }, `/api/datasets/${c.datasetId}/files`),
    415,
    /multipart\/form-data/,
  ),
  uploadCase(
    'multipart-without-boundary',
    (c) => rawMultipart(c, `${part('a.jpg')}abc\r\n--XX--\r\n`, 'multipart/form-data'),
    400,
    /not well-formed multipart\/form-data \(Multipart: Boundary not found\)/,
  ),
  uploadCase(
    'multipart-cut-short',
    (c) => rawMultipart(c, `${part('cut.jpg')}${'x'.repeat(5000)}`),
    400,
    /cut short|not well-formed multipart/,
  ),
  uploadCase(
    'multipart-no-files',
    (c) => rawMultipart(c, '--XX\r\nContent-Disposition: form-data; name="label"\r\n\r\nx\r\n--XX--\r\n'),
    400,
    /the request holds no files/,
  ),
  uploadCase(
    'unknown-dataset',
    (c) => upload(c, [['a.jpg', c.good[0]!, 'image/jpeg']], '/api/datasets/ds-20990101-00000000/files'),
    404,
    /no dataset ds-20990101-00000000/,
  ),
  uploadCase(
    'path-looking-dataset',
    (c) => upload(c, [['a.jpg', c.good[0]!, 'image/jpeg']], '/api/datasets/..%2F..%2Ftmp/files'),
    400,
    /params\/datasetId/,
  ),
  uploadCase(
    'upload-without-key',
    (c) => ({ ...upload(c, [['a.jpg', c.good[0]!, 'image/jpeg']]), headers: {} }),
    401,
    /a valid API key is required/,
  ),
];

/** `Upload-Metadata` as tus clients send it: comma-separated `key base64(value)` pairs. */
const tusMetadata = (fields: Record<string, string>) =>
  Object.entries(fields)
    .map(([key, value]) => `${key} ${Buffer.from(value).toString('base64')}`)
    .join(',');

/** The creation of a resumable upload of one file into the context's dataset (or `datasetId`). */
function tusCreate(
  ctx: HubContext,
  file: { name: string; type?: string; size: number; datasetId?: string },
  headers: Record<string, string> = {},
): HttpRequest {
  return {
    method: 'POST',
    path: '/api/uploads',
    headers: {
      'tus-resumable': '1.0.0',
      authorization: `Bearer ${ctx.apiKey}`,
      'upload-length': String(file.size),
      'upload-metadata': tusMetadata({
        datasetId: file.datasetId ?? ctx.datasetId,
        filename: file.name,
        ...(file.type === undefined ? {} : { filetype: file.type }),
      }),
      ...headers,
    },
  };
}

/** Creates an upload on the Hub, then answers the PATCH that sends `bytes` to it at `offset`. */
async function tusPatch(
  ctx: HubContext,
  file: { name: string; type: string; size?: number },
  bytes: Buffer,
  offset = 0,
): Promise<HttpRequest> {
  const create = tusCreate(ctx, { ...file, size: file.size ?? bytes.length });
  const created = await fetch(new URL(create.path, ctx.url), { method: 'POST', headers: create.headers });
  if (created.status !== 201)
    throw new Error(`creating the upload answered ${created.status}: ${await created.text()}`);
  return {
    method: 'PATCH',
    path: created.headers.get('location')!,
    headers: {
      'tus-resumable': '1.0.0',
      authorization: `Bearer ${ctx.apiKey}`,
      'upload-offset': String(offset),
      'content-type': 'application/offset+octet-stream',
    },
    body: bytes,
  };
}

/**
 * Resumable uploads (the page's tus route): the multipart route's refusals, made when the upload
 * is created (before any byte is sent), and an archive's checks made when its last byte arrives.
 */
export const resumableUploadCases: readonly HubCase[] = [
  uploadCase(
    'tus-text-file',
    (c) => tusCreate(c, { name: 'notes.txt', type: 'text/plain', size: 5 }),
    400,
    /notes\.txt is text\/plain, not a photo or a zip archive/,
  ),
  uploadCase(
    'tus-png-file',
    (c) => tusCreate(c, { name: 'shot.png', type: 'image/png', size: 5 }),
    400,
    /image\/png, not a photo/,
  ),
  uploadCase(
    'tus-heic-file',
    (c) => tusCreate(c, { name: 'IMG_1.HEIC', type: 'image/heic', size: 5 }),
    400,
    /image\/heic, not a photo/,
  ),
  uploadCase('tus-no-type', (c) => tusCreate(c, { name: 'a.jpg', size: 5 }), 400, /a\.jpg is of no type/),
  uploadCase(
    'tus-dot-dot-name',
    (c) => tusCreate(c, { name: '..', type: 'image/jpeg', size: 5 }),
    400,
    /file name "\.\." is not allowed/,
  ),
  uploadCase(
    'tus-name-climbs-out',
    (c) => tusCreate(c, { name: '../../evil.jpg', type: 'image/jpeg', size: 5 }),
    400,
    /file name "\.\.\/\.\.\/evil\.jpg" is not allowed/,
  ),
  uploadCase(
    'tus-hidden-name',
    (c) => tusCreate(c, { name: '.bashrc', type: 'image/jpeg', size: 5 }),
    400,
    /file name "\.bashrc" is not allowed/,
  ),
  uploadCase(
    'tus-name-too-long',
    (c) => tusCreate(c, { name: `${'a'.repeat(240)}.jpg`, type: 'image/jpeg', size: 5 }),
    400,
    /is not allowed/,
  ),
  uploadCase(
    'tus-name-with-shell-characters',
    (c) => tusCreate(c, { name: '$(reboot).jpg', type: 'image/jpeg', size: 5 }),
    400,
    /is not allowed/,
  ),
  uploadCase(
    'tus-photo-over-the-limit',
    (c) => tusCreate(c, { name: 'huge.jpg', type: 'image/jpeg', size: 200 * 1024 * 1024 + 1 }),
    413,
    /huge\.jpg is larger than 200 MiB/,
  ),
  uploadCase(
    'tus-deferred-length',
    (c) => {
      const request = tusCreate(c, { name: 'a.jpg', type: 'image/jpeg', size: 0 });
      const { 'upload-length': _, ...headers } = request.headers!;
      return { ...request, headers: { ...headers, 'upload-defer-length': '1' } };
    },
    400,
    /a\.jpg has no Upload-Length/,
  ),
  uploadCase(
    'tus-unknown-dataset',
    (c) => tusCreate(c, { name: 'a.jpg', type: 'image/jpeg', size: 5, datasetId: 'ds-20990101-00000000' }),
    404,
    /no dataset ds-20990101-00000000/,
  ),
  uploadCase(
    'tus-sql-looking-dataset',
    (c) => tusCreate(c, { name: 'a.jpg', type: 'image/jpeg', size: 5, datasetId: "ds-1' OR 1=1--" }),
    400,
    /is not a dataset id/,
  ),
  uploadCase(
    'tus-upload-without-key',
    (c) => {
      const { authorization: _, ...headers } = tusCreate(c, { name: 'a.jpg', type: 'image/jpeg', size: 5 }).headers!;
      return { method: 'POST', path: '/api/uploads', headers };
    },
    401,
    /a valid API key is required/,
  ),
  uploadCase(
    'tus-path-looking-upload-id',
    (c) => ({
      method: 'PATCH',
      path: '/api/uploads/..%2F..%2Fetc%2Fpasswd',
      headers: {
        'tus-resumable': '1.0.0',
        authorization: `Bearer ${c.apiKey}`,
        'upload-offset': '0',
        'content-type': 'application/offset+octet-stream',
      },
      body: 'x',
    }),
    400,
    /params\/uploadId/,
  ),
  uploadCase(
    'tus-chunk-at-the-wrong-offset',
    (c) => tusPatch(c, { name: 'a.jpg', type: 'image/jpeg', size: 10 }, Buffer.from('abcde'), 5),
    409,
    /Upload-Offset conflict/,
  ),
  uploadCase(
    'tus-more-bytes-than-declared',
    (c) => tusPatch(c, { name: 'a.jpg', type: 'image/jpeg', size: 4 }, Buffer.from('more than four bytes')),
    413,
    /size exceeded/,
  ),
  uploadCase(
    'tus-zip-slip',
    async (c) =>
      tusPatch(
        c,
        { name: 'flight.zip', type: 'application/zip' },
        await zipOf(
          [...c.good.map((data, i) => ({ name: `p/G${i}.jpg`, data })), { name: 'xx/evil.jpg', data: c.good[0]! }],
          [['xx/evil.jpg', '../evil.jpg']],
        ),
      ),
    400,
    /^archive flight\.zip refused: entry "\.\.\/evil\.jpg" climbs out/,
  ),
  uploadCase(
    'tus-zip-bomb',
    async (c) =>
      tusPatch(
        c,
        { name: 'flight.zip', type: 'application/zip' },
        await zipOf([{ name: 'bomb.jpg', data: Buffer.alloc(8 * 1024 * 1024), compress: true }]),
      ),
    400,
    /^archive flight\.zip refused: .*a likely zip bomb/,
  ),
  uploadCase(
    'tus-not-a-zip',
    (c) => tusPatch(c, { name: 'flight.zip', type: 'application/zip' }, Buffer.from('PK, but not an archive')),
    400,
    /^archive flight\.zip/,
  ),
];

/**
 * Files the upload route takes (it checks names and types, Ingest checks bytes), then a job on
 * them that must fail in Ingest with the named error, publish nothing, and leave the Hub serving.
 */
export interface HubJobCase {
  readonly target: 'hub-job';
  readonly id: string;
  files(ctx: HubContext): Promise<[name: string, bytes: Buffer, type: string][]>;
  /** The stage that refuses: GuardBudget opens the dataset to count it, so it meets a bad archive first. */
  readonly expect: { readonly stage: 'GuardBudget' | 'Ingest'; readonly name: string; readonly reason: RegExp };
}

export const jobCases: readonly HubJobCase[] = [
  {
    target: 'hub-job',
    id: 'zip-slip-dropped-on-the-page',
    files: async (c) => [
      [
        'flight.zip',
        await zipOf(
          [...c.good.map((data, i) => ({ name: `p/G${i}.jpg`, data })), { name: 'xx/evil.jpg', data: c.good[0]! }],
          [['xx/evil.jpg', '../evil.jpg']],
        ),
        'application/zip',
      ],
    ],
    expect: {
      stage: 'GuardBudget',
      name: 'Aerial.InvalidInput',
      reason: /^archive flight\.zip refused: entry "\.\.\/evil\.jpg" climbs out/,
    },
  },
  {
    target: 'hub-job',
    id: 'photos-that-are-not-photos',
    files: async (c) => [
      ['a.jpg', photo.text(), 'image/jpeg'],
      ['b.jpg', photo.truncated(c.good[0]!), 'image/jpeg'],
      ['c.jpg', Buffer.alloc(0), 'image/jpeg'],
      ['d.jpg', c.good[1]!, 'image/jpeg'],
    ],
    expect: {
      stage: 'Ingest',
      name: 'Aerial.QualityRejected',
      // A JPEG cut at 60 %: libvips calls it a premature end (truncated) or corrupt data, by where the cut falls.
      reason:
        /only 1 of 4 files passed quality checks, fewer than the 3 needed \(1 not-an-image, 1 (truncated|corrupt), 1 empty-file\)/,
    },
  },
];
