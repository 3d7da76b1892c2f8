import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useRecordingHub } from './test-support/recording-hub';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const metadataOf = (fields: Record<string, string>) =>
  Object.entries(fields)
    .map(([k, v]) => `${k} ${b64(v)}`)
    .join(',');

/** The tus routes over real HTTP (the protocol streams bodies), on PostgreSQL and a local folder store. */
describe('resumable uploads (tus)', () => {
  const env = useRecordingHub('aerial-resumable-uploads-');
  let base = '';
  beforeAll(async () => {
    base = await env.hub.listen({ host: '127.0.0.1', port: 0 });
  });
  const tus = { 'tus-resumable': '1.0.0' };
  const call = (path: string, init: RequestInit = {}) =>
    fetch(new URL(path, base), { ...init, headers: { ...tus, ...env.auth(), ...(init.headers as object) } });
  const newDataset = async () =>
    (
      (await (
        await call('/api/datasets', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })
      ).json()) as { datasetId: string }
    ).datasetId;
  const create = (datasetId: string, filename: string, size: number, filetype = 'image/jpeg', extra = {}) =>
    call('/api/uploads', {
      method: 'POST',
      headers: {
        'upload-length': String(size),
        'upload-metadata': metadataOf({ datasetId, filename, filetype }),
        ...extra,
      },
    });
  const patch = (location: string, offset: number, body: Buffer, contentType = 'application/offset+octet-stream') =>
    call(location, {
      method: 'PATCH',
      headers: { 'upload-offset': String(offset), 'content-type': contentType },
      body,
    });
  const files = async (datasetId: string) =>
    ((await (await call(`/api/datasets/${datasetId}`)).json()) as { files: { name: string; bytes: number }[] }).files;
  const errorOf = async (response: Response) =>
    ((await response.json()) as { error: { name: string; reason: string } }).error;
  const staged = () => {
    const dir = join(env.dir, 'upload-staging');
    return existsSync(dir) ? readdirSync(dir) : [];
  };

  test('create, PATCH at the offset, HEAD after a break, resume: the file lands in the dataset whole', async () => {
    const datasetId = await newDataset();
    const photo = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 251));
    const created = await create(datasetId, 'DJI_0001.JPG', photo.length, 'image/jpeg', {
      origin: 'https://elsewhere.example',
    });
    expect(created.status).toBe(201);
    // No CORS: another site's page cannot drive uploads with a key it got hold of.
    expect(created.headers.get('access-control-allow-origin')).toBeNull();
    const location = created.headers.get('location')!;
    expect(location).toMatch(/^\/api\/uploads\/[0-9a-f]{32}$/);

    const first = await patch(location, 0, photo.subarray(0, 100_000));
    expect(first.status).toBe(204);
    expect(first.headers.get('upload-offset')).toBe('100000');
    // As after a dropped connection: the client asks where to go on.
    const head = await call(location, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect({ offset: head.headers.get('upload-offset'), length: head.headers.get('upload-length') }).toEqual({
      offset: '100000',
      length: '300000',
    });
    // A chunk sent again from the start is refused: the Hub never takes bytes twice.
    const stale = await patch(location, 0, photo.subarray(0, 100_000));
    expect(stale.status).toBe(409);
    expect(await errorOf(stale)).toMatchObject({
      name: 'Aerial.InvalidInput',
      reason: expect.stringMatching(/offset/i),
    });
    expect(await files(datasetId)).toEqual([]);

    const rest = await patch(location, 100_000, photo.subarray(100_000));
    expect(rest.status).toBe(204);
    expect(rest.headers.get('upload-offset')).toBe('300000');
    expect(await files(datasetId)).toEqual([{ name: 'DJI_0001.JPG', bytes: 300_000 }]);
    expect(readFileSync(join(env.dir, 'uploads', datasetId, 'DJI_0001.JPG'))).toEqual(photo);
    // Landed: the staged copy is gone, so is the upload.
    expect((await call(location, { method: 'HEAD' })).status).toBe(404);
    expect(staged().filter((f) => location.endsWith(f.replace(/\.json$/, '')))).toEqual([]);
  });

  test('a small file goes in the creation request itself (creation-with-upload)', async () => {
    const datasetId = await newDataset();
    const created = await call('/api/uploads', {
      method: 'POST',
      headers: {
        'upload-length': '5',
        'upload-metadata': metadataOf({ datasetId, filename: 'a.tif', filetype: 'image/tiff' }),
        'content-type': 'application/offset+octet-stream',
      },
      body: Buffer.from('hello'),
    });
    expect({ status: created.status, body: await created.text() }).toEqual({ status: 201, body: '' });
    expect(created.headers.get('upload-offset')).toBe('5');
    expect(await files(datasetId)).toEqual([{ name: 'a.tif', bytes: 5 }]);
  });

  test('a chunk larger than the Hub-wide JSON body limit (64 KiB) is taken', async () => {
    const datasetId = await newDataset();
    const big = Buffer.alloc(3 * 1024 * 1024, 7);
    const location = (await create(datasetId, 'big.jpg', big.length)).headers.get('location')!;
    const sent = await patch(location, 0, big);
    expect(sent.status).toBe(204);
    expect(await files(datasetId)).toEqual([{ name: 'big.jpg', bytes: big.length }]);
  });

  test.each([
    [
      'a text file',
      { filename: 'notes.txt', filetype: 'text/plain' },
      400,
      /notes\.txt is text\/plain, not a photo or a zip archive/,
    ],
    ['a PNG', { filename: 'shot.png', filetype: 'image/png' }, 400, /image\/png, not a photo/],
    [
      'a name that climbs out',
      { filename: '../evil.jpg', filetype: 'image/jpeg' },
      400,
      /file name "\.\.\/evil\.jpg" is not allowed/,
    ],
    [
      'a name with a folder',
      { filename: 'a/b.jpg', filetype: 'image/jpeg' },
      400,
      /file name "a\/b\.jpg" is not allowed/,
    ],
    ['a hidden name', { filename: '.bashrc', filetype: 'image/jpeg' }, 400, /file name "\.bashrc" is not allowed/],
    ['no type', { filename: 'a.jpg' }, 400, /a\.jpg is of no type/],
    [
      'an unknown dataset',
      { datasetId: 'ds-20990101-00000000', filename: 'a.jpg', filetype: 'image/jpeg' },
      404,
      /no dataset ds-20990101-00000000/,
    ],
    [
      'a dataset id that is not one',
      { datasetId: "x' OR 1=1", filename: 'a.jpg', filetype: 'image/jpeg' },
      400,
      /is not a dataset id/,
    ],
  ])('creation refuses %s, before any byte is sent', async (_, fields: Record<string, string>, status, reason) => {
    const datasetId = await newDataset();
    const response = await call('/api/uploads', {
      method: 'POST',
      headers: { 'upload-length': '10', 'upload-metadata': metadataOf({ datasetId, ...fields }) },
    });
    expect(response.status).toBe(status);
    expect(await errorOf(response)).toEqual({
      name: 'Aerial.InvalidInput',
      reason: expect.stringMatching(reason),
      remedy: expect.any(String),
    });
    expect(response.headers.get('location')).toBeNull();
    expect(await files(datasetId)).toEqual([]);
  });

  test('sizes: a photo over 200 MiB and a deferred length are refused at creation', async () => {
    const datasetId = await newDataset();
    const huge = await create(datasetId, 'huge.jpg', 200 * 1024 * 1024 + 1);
    expect(huge.status).toBe(413);
    expect((await errorOf(huge)).reason).toMatch(/huge\.jpg is larger than 200 MiB/);
    // A zip may be larger than a photo (a whole flight), up to its own limit.
    const zip = await create(datasetId, 'flight.zip', 300 * 1024 * 1024, 'application/zip');
    expect(zip.status).toBe(201);
    await call(zip.headers.get('location')!, { method: 'DELETE' });
    const deferred = await call('/api/uploads', {
      method: 'POST',
      headers: {
        'upload-defer-length': '1',
        'upload-metadata': metadataOf({ datasetId, filename: 'a.jpg', filetype: 'image/jpeg' }),
      },
    });
    expect(deferred.status).toBe(400);
    expect((await errorOf(deferred)).reason).toMatch(/has no Upload-Length/);
    // More bytes than declared.
    const small = (await create(datasetId, 'small.jpg', 4)).headers.get('location')!;
    const over = await patch(small, 0, Buffer.from('too many bytes'));
    expect(over.status).toBeGreaterThanOrEqual(400);
    expect(over.status).toBeLessThan(500);
    expect(await files(datasetId)).toEqual([]);
  });

  test('a file typed as a zip that is not one is refused when it has arrived, and kept nowhere', async () => {
    const datasetId = await newDataset();
    const body = Buffer.from('PK but not really a zip archive');
    const location = (await create(datasetId, 'flight.zip', body.length, 'application/zip')).headers.get('location')!;
    const sent = await patch(location, 0, body);
    expect(sent.status).toBe(400);
    expect(await errorOf(sent)).toMatchObject({
      name: 'Aerial.InvalidInput',
      reason: expect.stringMatching(/^archive flight\.zip/),
    });
    expect(await files(datasetId)).toEqual([]);
    expect(staged().some((f) => location.endsWith(f))).toBe(false);
  });

  test('requests without a key, with an upload id that is a path, or the wrong body type are refused', async () => {
    const datasetId = await newDataset();
    const anonymous = await fetch(new URL('/api/uploads', base), {
      method: 'POST',
      headers: {
        ...tus,
        'upload-length': '1',
        'upload-metadata': metadataOf({ datasetId, filename: 'a.jpg', filetype: 'image/jpeg' }),
      },
    });
    expect(anonymous.status).toBe(401);
    const location = (await create(datasetId, 'a.jpg', 3)).headers.get('location')!;
    const anonymousPatch = await fetch(new URL(location, base), {
      method: 'PATCH',
      headers: { ...tus, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
      body: 'abc',
    });
    expect(anonymousPatch.status).toBe(401);
    // A passed key is remembered by its whole header: another secret for the same key id is not.
    const [, keyId] = /^Bearer (aerial_[^_]+)_/.exec(env.auth().authorization)!;
    const wrongSecret = await fetch(new URL(location, base), {
      method: 'HEAD',
      headers: { ...tus, authorization: `Bearer ${keyId}_${'B'.repeat(43)}` },
    });
    expect(wrongSecret.status).toBe(401);
    const traversal = await call('/api/uploads/..%2F..%2Fetc%2Fpasswd', { method: 'HEAD' });
    expect(traversal.status).toBe(400);
    const wrongType = await patch(location, 0, Buffer.from('abc'), 'application/xml');
    expect(wrongType.status).toBe(415);
    expect((await call('/api/uploads/0123456789abcdef0123456789abcdef', { method: 'HEAD' })).status).toBe(404);
    expect(await files(datasetId)).toEqual([]);
  });

  test('a thousand-photo set is not throttled: the upload routes have their own, higher rate limit', async () => {
    const location = (await create(await newDataset(), 'a.jpg', 3)).headers.get('location')!;
    // Over the Hub-wide 300 a minute, with the key checked once (remembered) rather than hashed each time.
    const started = Date.now();
    const statuses = new Set<number>();
    for (let i = 0; i < 400; i++) statuses.add((await call(location, { method: 'HEAD' })).status);
    expect([...statuses]).toEqual([200]);
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});
