import { DEFAULT_ENVIRONMENTS, type ImageRecord, type JobRequestInput, keys, stageOutputKey } from '@aerial/contracts';
import { getJson, LocalFolderStore, putJson, runStage } from '@aerial/runtime';
import { ingestStage } from '@aerial/pipeline';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { archiveCases, type CorpusContext, imageCases } from './ingest-cases';
import { goodPhotos } from './photos';

/**
 * The image and archive cases of the corpus through the Ingest stage, as the engine runs it: a
 * bad file gets its own verdict while the job goes on with the good ones; a bad archive refuses
 * the dataset before anything is unpacked, with nothing left under the stage's images.
 */
describe('bad input: images and archives through Ingest', () => {
  let root: string;
  let ctx: CorpusContext;
  let store: LocalFolderStore;
  let n = 0;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'aerial-corpus-'));
    ctx = { good: await goodPhotos(join(root, 'survey')) };
    store = new LocalFolderStore(join(root, 'objects'));
  }, 60_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  async function ingest(source: JobRequestInput['source'], uploads = store) {
    const jobId = `job-20260101-${(++n).toString(16).padStart(8, '0')}`;
    await putJson(store, keys.request(jobId), { source });
    const run = runStage(
      { jobId, stage: 'Ingest' },
      { store, uploads, environment: DEFAULT_ENVIRONMENTS.dev, handlers: { Ingest: ingestStage } },
    );
    return { jobId, run };
  }
  const records = async (jobId: string) =>
    (await getJson(store, stageOutputKey(jobId, 'Ingest', 'image-records'))) as ImageRecord[];
  const stored = async (jobId: string) => {
    const out: string[] = [];
    for await (const o of store.list(`${keys.stage(jobId, 'Ingest')}/images/`)) out.push(o.key);
    return out;
  };

  test.each(imageCases.map((c) => [c.id, c] as const))('%s', async (_, c) => {
    const dir = join(root, `case-${++n}`);
    mkdirSync(dir);
    ctx.good.forEach((b, i) => writeFileSync(join(dir, `GOOD_${i}.JPG`), b));
    writeFileSync(join(dir, c.name), await c.build(ctx));
    const { jobId, run } = await ingest({ kind: 'folder', path: dir });
    const manifest = await run;
    const all = await records(jobId);
    const record = all.find((r) => r.name === c.name)!;
    expect(all.filter((r) => r.name.startsWith('GOOD_')).every((r) => r.qa.accepted)).toBe(true);
    if ('rejected' in c.expect) {
      expect(record.qa).toMatchObject({ accepted: false });
      expect(record.qa.reasons[0]).toEqual({
        code: c.expect.rejected,
        message: expect.stringMatching(c.expect.message),
      });
      expect(record.key).toBeUndefined();
      expect(manifest.summary).toMatchObject({ accepted: ctx.good.length, rejected: 1 });
    } else {
      expect(record.qa).toMatchObject({ accepted: true, reasons: [] });
      if (c.expect.warning) expect(record.qa.warnings).toContainEqual(expect.stringMatching(c.expect.warning));
    }
    if (c.measuredLike) {
      const source = all.find((r) => r.name === c.measuredLike)!.qa.metrics.meanLuminance!;
      expect(record.qa.metrics.meanLuminance).toBeGreaterThan(source - 8);
      expect(record.qa.metrics.meanLuminance).toBeLessThan(source + 8);
    }
    // Only accepted files are copied in.
    expect((await stored(jobId)).length).toBe(all.filter((r) => r.qa.accepted).length);
  });

  test.each(archiveCases.map((c) => [c.id, c] as const))('%s', async (_, c) => {
    const bytes = await c.build(ctx);
    let source: JobRequestInput['source'];
    let uploads = store;
    if (c.via === 'zip') {
      const path = join(root, `case-${++n}.zip`);
      writeFileSync(path, bytes);
      source = { kind: 'zip', path };
    } else {
      uploads = new LocalFolderStore(join(root, `uploads-${++n}`));
      await uploads.put('uploads/ds-1/flight.zip', bytes);
      source = { kind: 'prefix', prefix: 'uploads/ds-1/' };
    }
    const { jobId, run } = await ingest(source, uploads);
    const expected = c.expect;
    if ('refused' in expected) {
      await expect(run).rejects.toMatchObject({
        name: expected.refused,
        message: expect.stringMatching(expected.message),
      });
      // The refusal is recorded for the engine, and nothing was copied in.
      expect(await getJson(store, keys.stageError(jobId, 'Ingest'))).toMatchObject({ name: expected.refused });
      expect(await stored(jobId)).toEqual([]);
    } else {
      await run;
      const record = (await records(jobId)).find((r) => expected.entry.test(r.name))!;
      expect(record.qa.reasons[0]).toEqual({
        code: expected.rejected,
        message: expect.stringMatching(expected.message),
      });
      expect(record.key).toBeUndefined();
    }
  });
});
