import {
  DEFAULT_ENVIRONMENTS,
  type ImageRecord,
  type JobRequestInput,
  keys,
  stageOutputKey,
  type QaReasonCode,
} from '@aerial/contracts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalFolderStore } from '@aerial/runtime';
import { getJson, type ObjectStore, putJson } from '@aerial/runtime';
import { runStage } from '@aerial/runtime';
import { ingestStage } from './ingest-stage';
import { addSymlink, broken, folderWith, goodPhotos, zipOf } from './test-support/bad-inputs';

/**
 * Ingest's own bad-input cases: every case ends in a specific rejection reason for the file (the job goes
 * on with the good ones) or a specific refusal of the whole dataset; never a crash or a hang.
 */
describe('ingest: bad input', () => {
  let root: string;
  let good: Buffer[];
  let store: LocalFolderStore;
  let n = 0;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'aerial-bad-'));
    good = await goodPhotos(join(root, 'survey'));
    store = new LocalFolderStore(join(root, 'objects'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  async function ingest(source: JobRequestInput['source']) {
    const jobId = `bad-${++n}`;
    await putJson(store, keys.request(jobId), { source });
    const manifest = await runStage(
      { jobId, stage: 'Ingest' },
      { store, environment: DEFAULT_ENVIRONMENTS.dev, handlers: { Ingest: ingestStage } },
    );
    const records = (await getJson(store, stageOutputKey(jobId, 'Ingest', 'image-records'))) as ImageRecord[];
    return { manifest, records, jobId };
  }

  async function rejectionOf(name: string, bytes: Buffer | Promise<Buffer>) {
    const dir = folderWith(join(root, `case-${++n}`), good, { [name]: await bytes });
    const { records, manifest } = await ingest({ kind: 'folder', path: dir });
    expect(manifest.summary).toMatchObject({ accepted: good.length });
    return records.find((r) => r.name === name)!.qa;
  }

  // The cross-package corpus (packages/tests/src/bad-input) holds the rest: truncated, wrong-type,
  // 1-px, 65000², CMYK, 16-bit, HEIC, EXIF and GPS cases, and the zip defences on both paths in.
  const fileCases: [string, string, (g: Buffer) => Buffer | Promise<Buffer>, QaReasonCode, RegExp][] = [
    ['corrupt JPEG data', 'scrambled.jpg', broken.corrupt, 'corrupt', /cannot be decoded/],
    ['random binary', 'blob.jpg', broken.binary, 'not-an-image', /unknown signature/],
    ['no GPS', 'nogps.jpg', broken.noGps, 'no-gps', /no GPS position/],
    ['black frame', 'black.jpg', broken.black, 'black', /frame is black/],
    ['over-exposed frame', 'white.jpg', broken.white, 'overexposed', /clipped white/],
    ['blurred frame', 'blur.jpg', broken.blurred, 'blurry', /blurred/],
    ['gimbal not at nadir', 'oblique.jpg', broken.obliqueGimbal, 'not-nadir', /gimbal pitch is -45.0°/],
    ['far outside the cluster', 'far.jpg', broken.farAway, 'outlier-position', /km from the rest of the dataset/],
  ];

  test.each(fileCases)('%s is rejected with a reason, the rest accepted', async (_, name, make, code, message) => {
    const qa = await rejectionOf(name, make(good[0]!));
    expect(qa.accepted).toBe(false);
    expect(qa.reasons[0]).toMatchObject({ code, message: expect.stringMatching(message) });
  });

  test('non-UTF-8 file name in a folder', async () => {
    const dir = folderWith(join(root, `case-${++n}`), good, {});
    writeFileSync(Buffer.from(`${dir}/caf\xe9.jpg`, 'latin1'), good[1]!);
    const { records } = await ingest({ kind: 'folder', path: dir });
    const odd = records.find((r) => r.name.startsWith('caf'))!;
    expect(odd.qa.reasons[0]).toMatchObject({ code: 'unsafe-name', message: expect.stringMatching(/not valid UTF-8/) });
  });

  test('symbolic link in a folder is not followed', async () => {
    const dir = folderWith(join(root, `case-${++n}`), good, {});
    addSymlink(dir, 'passwd.jpg', '/etc/passwd');
    const { records } = await ingest({ kind: 'folder', path: dir });
    expect(records.find((r) => r.name === 'passwd.jpg')!.qa.reasons[0]).toMatchObject({ code: 'symlink' });
  });

  const zipPath = async (name: string, bytes: Buffer | Promise<Buffer>) => {
    const path = join(root, `${++n}-${name}`);
    writeFileSync(path, await bytes);
    return path;
  };
  const goodEntries = () => good.map((data, i) => ({ name: `photos/GOOD_${i}.JPG`, data }));

  test('non-UTF-8 entry name in an archive is rejected, the rest accepted', async () => {
    const path = await zipPath(
      'names.zip',
      zipOf(
        [...goodEntries(), { name: 'cafX.jpg', data: good[1]! }],
        [['cafX.jpg', Buffer.from('caf\xe9.jpg', 'latin1')]],
      ),
    );
    const { records } = await ingest({ kind: 'zip', path });
    expect(records.find((r) => r.name.startsWith('caf'))!.qa.reasons[0]).toMatchObject({ code: 'unsafe-name' });
    expect(records.filter((r) => r.qa.accepted)).toHaveLength(good.length);
  });

  test('a good archive is read like a folder, hidden entries skipped', async () => {
    const path = await zipPath(
      'ok.zip',
      zipOf([...goodEntries(), { name: '__MACOSX/._GOOD_0.JPG', data: Buffer.from('x') }]),
    );
    const { manifest, records } = await ingest({ kind: 'zip', path });
    expect(manifest.summary).toMatchObject({ files: good.length, accepted: good.length });
    expect(records.every((r) => r.key?.startsWith(`jobs/`))).toBe(true);
  });

  test('an empty archive is refused', async () => {
    const path = await zipPath('empty.zip', zipOf([]));
    await expect(ingest({ kind: 'zip', path })).rejects.toMatchObject({
      name: 'Aerial.InvalidInput',
      message: expect.stringMatching(/contains no files/),
    });
  });

  test('an empty folder is refused', async () => {
    const dir = folderWith(join(root, `case-${++n}`), [], {});
    await expect(ingest({ kind: 'folder', path: dir })).rejects.toMatchObject({
      name: 'Aerial.InvalidInput',
      message: expect.stringMatching(/contains no files/),
    });
  });

  test('a missing folder is refused with what to give instead', async () => {
    await expect(ingest({ kind: 'folder', path: join(root, 'nope') })).rejects.toMatchObject({
      message: expect.stringMatching(/is not a folder; give a folder of photos/),
    });
  });

  test('when too few images pass, the stage fails with Aerial.QualityRejected and still records every verdict', async () => {
    const dir = folderWith(join(root, `case-${++n}`), [good[0]!], { 'a.jpg': broken.text(), 'b.jpg': Buffer.alloc(0) });
    const jobId = `bad-${++n}`;
    await putJson(store, keys.request(jobId), { source: { kind: 'folder', path: dir } });
    await expect(
      runStage(
        { jobId, stage: 'Ingest' },
        { store, environment: DEFAULT_ENVIRONMENTS.dev, handlers: { Ingest: ingestStage } },
      ),
    ).rejects.toMatchObject({
      name: 'Aerial.QualityRejected',
      message: expect.stringMatching(
        /only 1 of 3 files passed quality checks, fewer than the 3 needed \(1 not-an-image, 1 empty-file\)/,
      ),
    });
    expect(await getJson(store, keys.stageError(jobId, 'Ingest'))).toMatchObject({
      name: 'Aerial.QualityRejected',
      stage: 'Ingest',
    });
    expect(((await getJson(store, stageOutputKey(jobId, 'Ingest', 'image-records'))) as unknown[]).length).toBe(3);
  });

  test('running the stage twice leaves the same objects', async () => {
    const dir = folderWith(join(root, `case-${++n}`), good, {});
    const jobId = `bad-${++n}`;
    await putJson(store, keys.request(jobId), { source: { kind: 'folder', path: dir } });
    const run = () =>
      runStage(
        { jobId, stage: 'Ingest' },
        { store, environment: DEFAULT_ENVIRONMENTS.dev, handlers: { Ingest: ingestStage } },
      );
    await run();
    const list = async () => {
      const out: string[] = [];
      for await (const o of store.list(`jobs/${jobId}/`)) out.push(`${o.key}:${o.etag}`);
      return out;
    };
    const first = await list();
    await run();
    expect((await list()).filter((k) => !k.includes('manifest.json'))).toEqual(
      first.filter((k) => !k.includes('manifest.json')),
    );
  });

  /** Ingests a prefix of `files`; `remote` hides the store's files, as S3 has none to offer. */
  async function ingestPrefix(files: Record<string, Buffer | Promise<Buffer>>, remote = false) {
    const local = new LocalFolderStore(join(root, `uploads-${++n}`));
    for (const [name, bytes] of Object.entries(files)) await local.put(`datasets/d${n}/${name}`, await bytes);
    const uploads: ObjectStore = remote
      ? {
          location: 's3://uploads',
          put: local.put.bind(local),
          get: local.get.bind(local),
          getStream: local.getStream.bind(local),
          head: local.head.bind(local),
          list: local.list.bind(local),
          delete: local.delete.bind(local),
          copy: local.copy.bind(local),
        }
      : local;
    const jobId = `bad-${++n}`;
    await putJson(store, keys.request(jobId), { source: { kind: 'prefix', prefix: `datasets/d${n - 1}` } });
    const manifest = await runStage(
      { jobId, stage: 'Ingest' },
      { store, uploads, environment: DEFAULT_ENVIRONMENTS.dev, handlers: { Ingest: ingestStage } },
    );
    const records = (await getJson(store, stageOutputKey(jobId, 'Ingest', 'image-records'))) as ImageRecord[];
    return { manifest, records };
  }

  test('a zip uploaded to a prefix (a .zip dropped on the Hub page) is unpacked, its photos named archive.zip/<entry>', async () => {
    const { manifest, records } = await ingestPrefix({ 'flight.zip': zipOf(goodEntries()) });
    expect(manifest.summary).toMatchObject({ files: good.length, accepted: good.length, rejected: 0 });
    expect(records.map((r) => r.name)).toEqual(good.map((_, i) => `flight.zip/photos/GOOD_${i}.JPG`));
    expect(records.every((r) => r.key?.includes('/images/flight.zip/photos/'))).toBe(true);
  });

  test('a zip in a store that keeps no files is downloaded and unpacked', async () => {
    const { manifest } = await ingestPrefix({ 'flight.zip': zipOf(goodEntries()) }, true);
    expect(manifest.summary).toMatchObject({ files: good.length, accepted: good.length });
  });

  test('a zip in a folder is unpacked beside the loose photos', async () => {
    const dir = folderWith(join(root, `case-${++n}`), good.slice(0, 2), {
      'rest.zip': await zipOf(good.slice(2).map((data, i) => ({ name: `GOOD_${i + 2}.JPG`, data }))),
    });
    const { manifest, records } = await ingest({ kind: 'folder', path: dir });
    expect(manifest.summary).toMatchObject({ files: good.length, accepted: good.length });
    expect(records.map((r) => r.name)).toEqual([
      'GOOD_0.JPG',
      'GOOD_1.JPG',
      'rest.zip/GOOD_2.JPG',
      'rest.zip/GOOD_3.JPG',
    ]);
  });

  test('a zip in a prefix gets the zip defences: a zip-slip entry refuses the dataset, named by the upload', async () => {
    const slip = zipOf(
      [...goodEntries(), { name: 'xx/evil.jpg', data: good[0]! }],
      [['xx/evil.jpg', Buffer.from('../evil.jpg')]],
    );
    await expect(ingestPrefix({ 'flight.zip': slip })).rejects.toMatchObject({
      name: 'Aerial.InvalidInput',
      message: expect.stringMatching(/^archive flight\.zip refused: entry "\.\.\/evil\.jpg" climbs out of the archive/),
    });
  });

  test('a zip inside a zip is refused with the reason, not unpacked', async () => {
    const nested = zipOf([...goodEntries(), { name: 'more/inner.zip', data: await zipOf(goodEntries()) }]);
    await expect(ingestPrefix({ 'flight.zip': nested })).rejects.toMatchObject({
      name: 'Aerial.InvalidInput',
      message: expect.stringMatching(/archive flight\.zip refused: entry "more\/inner\.zip" is itself a zip archive/),
      remedy: expect.stringMatching(/unpack the inner archive/),
    });
    await expect(ingest({ kind: 'zip', path: await zipPath('outer.zip', nested) })).rejects.toMatchObject({
      message: expect.stringMatching(/entry "more\/inner\.zip" is itself a zip archive/),
    });
  });

  test('a prefix source reads the uploaded files from the uploads store', async () => {
    const uploads = new LocalFolderStore(join(root, 'uploads'));
    for (const [i, bytes] of good.entries()) await uploads.put(`datasets/d1/GOOD_${i}.JPG`, bytes);
    await uploads.put('datasets/d1/notes.txt', broken.text());
    const jobId = `bad-${++n}`;
    await putJson(store, keys.request(jobId), { source: { kind: 'prefix', prefix: 'datasets/d1' } });
    const manifest = await runStage(
      { jobId, stage: 'Ingest' },
      { store, uploads, environment: DEFAULT_ENVIRONMENTS.dev, handlers: { Ingest: ingestStage } },
    );
    expect(manifest.summary).toMatchObject({ files: good.length + 1, accepted: good.length, rejected: 1 });
  });
});
