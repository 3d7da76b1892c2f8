import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NotFound,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createObjectStore } from './create-object-store';
import { LocalFolderStore } from './local-folder-store';
import { copyBetween, getJson, putJson } from './object-store';
import { S3ObjectStore } from './s3-store';

describe('LocalFolderStore', () => {
  let dir: string;
  let store: LocalFolderStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'aerial-store-'));
    store = new LocalFolderStore(dir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('round-trips buffers, strings and streams with their content type', async () => {
    await store.put('jobs/a/x.bin', Buffer.from([1, 2, 3]));
    await store.put('jobs/a/y.txt', Readable.from([Buffer.from('he'), Buffer.from('llo')]), {
      contentType: 'text/plain',
    });
    await putJson(store, 'jobs/a/m.json', { ok: true });
    expect([...(await store.get('jobs/a/x.bin'))]).toEqual([1, 2, 3]);
    expect((await store.get('jobs/a/y.txt')).toString()).toBe('hello');
    expect(await getJson(store, 'jobs/a/m.json')).toEqual({ ok: true });
    expect(await store.head('jobs/a/y.txt')).toMatchObject({
      bytes: 5,
      contentType: 'text/plain',
      etag: '5d41402abc4b2a76b9719d911017c592',
    });
  });

  test('put answers what head reads back, and writes again into a folder removed behind its back', async () => {
    const put = await store.put('jobs/b/t/1.webp', Buffer.from('tile'), { contentType: 'image/webp' });
    expect(await store.head('jobs/b/t/1.webp')).toEqual(put);
    rmSync(join(dir, 'jobs', 'b'), { recursive: true });
    await store.put('jobs/b/t/2.webp', Buffer.from('tile 2'));
    expect((await store.get('jobs/b/t/2.webp')).toString()).toBe('tile 2');
    expect(await store.fileOf('jobs/b/t/2.webp')).toBe(join(dir, 'jobs', 'b', 't', '2.webp'));
    expect(await store.fileOf('jobs/b/t/none.webp')).toBeUndefined();
  });

  test('small objects typed by their extension and without metadata are one file; their ETag is still the MD5', async () => {
    const tile = Buffer.from('webp bytes');
    const md5 = createHash('md5').update(tile).digest('hex');
    // Written first with metadata, then again without: the old metadata file must not outlive it.
    await store.put('jobs/c/tiles/1.webp', Buffer.from('old'), { contentType: 'image/webp', metadata: { job: 'c' } });
    expect(existsSync(join(dir, 'jobs', 'c', 'tiles', '1.webp.aerial-meta.json'))).toBe(true);
    const put = await store.put('jobs/c/tiles/1.webp', tile, { contentType: 'image/webp' });
    expect(readdirSync(join(dir, 'jobs', 'c', 'tiles'))).toEqual(['1.webp']);
    expect(put).toMatchObject({ etag: md5, contentType: 'image/webp', bytes: tile.length });
    expect(await store.head('jobs/c/tiles/1.webp')).toEqual(put);
    // A copy with metadata gets its metadata file, and the same ETag.
    const copy = await store.copy('jobs/c/tiles/1.webp', 'published/c/tiles/1.webp', { metadata: { run: 'r' } });
    expect(copy).toMatchObject({ etag: md5, contentType: 'image/webp' });
    expect(existsSync(join(dir, 'published', 'c', 'tiles', '1.webp.aerial-meta.json'))).toBe(true);
    // A type the extension does not say, or a large object, keeps its metadata file.
    await store.put('jobs/c/a.json', '{}', { contentType: 'application/geo+json' });
    expect((await store.head('jobs/c/a.json'))?.contentType).toBe('application/geo+json');
    await store.put('jobs/c/big.webp', Buffer.alloc(1024 * 1024 + 1), { contentType: 'image/webp' });
    expect(existsSync(join(dir, 'jobs', 'c', 'big.webp.aerial-meta.json'))).toBe(true);
  });

  test('lists by prefix in key order, without its bookkeeping files', async () => {
    for (const k of ['jobs/b/2', 'jobs/a/1', 'jobs/b/1', 'other/1']) await store.put(k, k);
    const keys: string[] = [];
    for await (const o of store.list('jobs/b/')) keys.push(o.key);
    expect(keys).toEqual(['jobs/b/1', 'jobs/b/2']);
  });

  test('a missing object is undefined on head and a clear error on get', async () => {
    expect(await store.head('nope')).toBeUndefined();
    await expect(store.get('nope')).rejects.toThrow(`no object nope in file:${dir}`);
  });

  test('refuses keys that could escape the folder', async () => {
    for (const key of ['../x', 'a/../../x', '/etc/passwd', 'a//b', 'a\\..\\b', '']) {
      await expect(store.put(key, 'x')).rejects.toThrow(/unsafe object key/);
    }
  });

  test('a failed stream leaves no partial object behind', async () => {
    const failing = new Readable({
      read() {
        this.destroy(new Error('disk on fire'));
      },
    });
    await expect(store.put('jobs/a/broken', failing)).rejects.toThrow('disk on fire');
    expect(await store.head('jobs/a/broken')).toBeUndefined();
    expect(readdirSync(join(dir, 'jobs', 'a'))).toEqual([]);
  });

  test('copies inside the store, keeping the bytes and ETag, replacing the metadata', async () => {
    const original = await store.put('jobs/a/mosaic.tif', Buffer.from('tiff bytes'), { contentType: 'image/tiff' });
    const copy = await store.copy('jobs/a/mosaic.tif', 'published/a/run-1/orthomosaic.tif', { metadata: { job: 'a' } });
    expect(copy).toMatchObject({ bytes: original.bytes, etag: original.etag, contentType: 'image/tiff' });
    expect((await store.get('published/a/run-1/orthomosaic.tif')).toString()).toBe('tiff bytes');
    await expect(store.copy('jobs/a/none', 'x/y')).rejects.toThrow(/jobs\/a\/none/);
    const listed: string[] = [];
    for await (const o of store.list('published/a/')) listed.push(o.key);
    expect(listed).toEqual(['published/a/run-1/orthomosaic.tif']);
  });

  test('deleting is idempotent', async () => {
    await store.put('k', 'v');
    await store.delete('k');
    await store.delete('k');
    expect(await store.head('k')).toBeUndefined();
  });
});

describe('copyBetween', () => {
  test('streams between two local stores, keeping the content type and setting the metadata', async () => {
    const root = mkdtempSync(join(tmpdir(), 'aerial-copy-'));
    try {
      const work = new LocalFolderStore(join(root, 'work'));
      const published = new LocalFolderStore(join(root, 'published'));
      await work.put('jobs/a/preview.png', Buffer.from('png bytes'), { contentType: 'image/png' });
      const info = await copyBetween(work, 'jobs/a/preview.png', published, 'published/a/preview.png', {
        metadata: { job: 'a' },
      });
      expect(info).toMatchObject({ key: 'published/a/preview.png', bytes: 9 });
      expect((await published.get('published/a/preview.png')).toString()).toBe('png bytes');
      expect((await published.head('published/a/preview.png'))?.contentType).toBe('image/png');
      expect(await work.head('published/a/preview.png')).toBeUndefined();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('S3ObjectStore', () => {
  const s3 = mockClient(S3Client);
  beforeEach(() => s3.reset());

  test('a long stream goes up as a multipart upload, one 8 MiB part at a time; a short one in one PutObject', async () => {
    s3.on(HeadObjectCommand).resolves({ ContentLength: 20 * 1024 * 1024, ETag: '"e-3"' });
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u1' });
    s3.on(UploadPartCommand).callsFake((input: { PartNumber: number }) => ({ ETag: `"p${input.PartNumber}"` }));
    s3.on(CompleteMultipartUploadCommand).resolves({});
    s3.on(PutObjectCommand).resolves({});
    const store = new S3ObjectStore(new S3Client({ region: 'eu-west-1' }), 'bucket', 'uploads-root');
    // Chunks of odd sizes, as a network stream delivers them.
    const chunks = Array.from({ length: 20 }, (_, i) => Buffer.alloc(1024 * 1024 + (i % 2 ? 1 : -1), i));
    await store.put('uploads/ds-1/flight.zip', Readable.from(chunks), { contentType: 'application/zip' });
    expect(s3.commandCalls(CreateMultipartUploadCommand)[0]!.args[0].input).toMatchObject({
      Bucket: 'bucket',
      Key: 'uploads-root/uploads/ds-1/flight.zip',
      ContentType: 'application/zip',
    });
    const parts = s3.commandCalls(UploadPartCommand).map((c) => c.args[0].input);
    expect(parts.map((p) => [p.PartNumber, (p.Body as Buffer).length])).toEqual([
      [1, 8 * 1024 * 1024],
      [2, 8 * 1024 * 1024],
      [3, 4 * 1024 * 1024],
    ]);
    // Buffer.equals: jest's toEqual walks 20 MiB byte by byte for minutes.
    expect(Buffer.concat(parts.map((p) => p.Body as Buffer)).equals(Buffer.concat(chunks))).toBe(true);
    expect(s3.commandCalls(CompleteMultipartUploadCommand)[0]!.args[0].input.MultipartUpload).toEqual({
      Parts: [
        { ETag: '"p1"', PartNumber: 1 },
        { ETag: '"p2"', PartNumber: 2 },
        { ETag: '"p3"', PartNumber: 3 },
      ],
    });
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);

    await store.put('uploads/ds-1/a.jpg', Readable.from([Buffer.from('small')]));
    await store.put('uploads/ds-1/empty.jpg', Readable.from([]));
    expect(s3.commandCalls(PutObjectCommand).map((c) => String(c.args[0].input.Body))).toEqual(['small', '']);
    expect(s3.commandCalls(CreateMultipartUploadCommand)).toHaveLength(1);
  });

  test('a multipart upload that fails part-way is aborted, leaving no parts behind', async () => {
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u2' });
    s3.on(UploadPartCommand).resolves({ ETag: '"p"' });
    s3.on(AbortMultipartUploadCommand).resolves({});
    const store = new S3ObjectStore(new S3Client({ region: 'eu-west-1' }), 'bucket');
    const cut = new Readable({ read() {} });
    cut.push(Buffer.alloc(17 * 1024 * 1024));
    setImmediate(() => cut.destroy(new Error('the client went away')));
    await expect(store.put('uploads/ds-1/cut.zip', cut)).rejects.toThrow(/the client went away/);
    expect(s3.commandCalls(AbortMultipartUploadCommand)[0]!.args[0].input).toEqual({
      Bucket: 'bucket',
      Key: 'uploads/ds-1/cut.zip',
      UploadId: 'u2',
    });
    expect(s3.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
  });

  test('writes under its prefix and reads back', async () => {
    s3.on(PutObjectCommand).resolves({});
    s3.on(HeadObjectCommand).resolves({ ContentLength: 2, ETag: '"abc"', ContentType: 'text/plain' });
    s3.on(GetObjectCommand).resolves({ Body: Readable.from([Buffer.from('hi')]) as never });
    const store = new S3ObjectStore(new S3Client({ region: 'eu-west-1' }), 'bucket', 'work/');
    expect(store.location).toBe('s3://bucket/work');
    expect(await store.put('jobs/a/k', 'hi', { contentType: 'text/plain' })).toMatchObject({
      key: 'jobs/a/k',
      etag: 'abc',
    });
    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toMatchObject({
      Bucket: 'bucket',
      Key: 'work/jobs/a/k',
      ContentType: 'text/plain',
    });
    expect((await store.get('jobs/a/k')).toString()).toBe('hi');
  });

  test('copies with CopyObject (no bytes through this process), URL-encoding the source', async () => {
    s3.on(HeadObjectCommand).resolves({ ContentLength: 4, ETag: '"e"', ContentType: 'image/webp' });
    s3.on(CopyObjectCommand).resolves({});
    const store = new S3ObjectStore(new S3Client({ region: 'eu-west-1' }), 'bucket', 'p');
    await store.copy('jobs/a/tiles/1 2.webp', 'published/a/tiles/1 2.webp', { metadata: { run: 'r' } });
    expect(s3.commandCalls(CopyObjectCommand)[0]!.args[0].input).toEqual({
      Bucket: 'bucket',
      Key: 'p/published/a/tiles/1 2.webp',
      CopySource: 'bucket/p/jobs/a/tiles/1%202.webp',
      MetadataDirective: 'REPLACE',
      ContentType: 'image/webp',
      Metadata: { run: 'r' },
    });
  });

  test('copies from another bucket server-side (work bucket to published bucket)', async () => {
    s3.on(HeadObjectCommand).resolves({ ContentLength: 4, ETag: '"e"', ContentType: 'image/tiff' });
    s3.on(CopyObjectCommand).resolves({});
    const client = new S3Client({ region: 'eu-west-1' });
    const work = new S3ObjectStore(client, 'work-bucket');
    const published = new S3ObjectStore(client, 'published-bucket', 'p');
    await copyBetween(work, 'jobs/a/mosaic.tif', published, 'published/a/run-1/orthomosaic.tif', {
      metadata: { job: 'a' },
    });
    expect(s3.commandCalls(CopyObjectCommand)[0]!.args[0].input).toMatchObject({
      Bucket: 'published-bucket',
      Key: 'p/published/a/run-1/orthomosaic.tif',
      CopySource: 'work-bucket/jobs/a/mosaic.tif',
    });
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  test('head of a missing object is undefined', async () => {
    s3.on(HeadObjectCommand).rejects(new NotFound({ message: 'nf', $metadata: {} }));
    const store = new S3ObjectStore(new S3Client({ region: 'eu-west-1' }), 'bucket');
    expect(await store.head('x')).toBeUndefined();
  });

  test('lists every page and strips its prefix', async () => {
    s3.on(ListObjectsV2Command)
      .resolvesOnce({ Contents: [{ Key: 'p/jobs/1', Size: 1 }], IsTruncated: true, NextContinuationToken: 't' })
      .resolvesOnce({ Contents: [{ Key: 'p/jobs/2', Size: 2 }], IsTruncated: false });
    const store = new S3ObjectStore(new S3Client({ region: 'eu-west-1' }), 'bucket', 'p');
    const keys: string[] = [];
    for await (const o of store.list('jobs/')) keys.push(o.key);
    expect(keys).toEqual(['jobs/1', 'jobs/2']);
    expect(s3.commandCalls(ListObjectsV2Command)[1]!.args[0].input.ContinuationToken).toBe('t');
  });
});

describe('createObjectStore', () => {
  test('selects the store from OBJECT_STORE', () => {
    expect(createObjectStore({ AERIAL_DATA_DIR: '/data' }).location).toBe('file:/data/objects');
    expect(createObjectStore({ AERIAL_DATA_DIR: '/data', OBJECT_STORE: 'file:/srv/o' }).location).toBe('file:/srv/o');
    expect(createObjectStore({ AERIAL_DATA_DIR: '/data', OBJECT_STORE: 's3://work-bucket/jobs' }).location).toBe(
      's3://work-bucket/jobs',
    );
  });
});
