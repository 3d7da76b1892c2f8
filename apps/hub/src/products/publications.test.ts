import { keys, type ImageRecord, stageOutputKey } from '@aerial/contracts';
import { LocalFolderStore, putJson } from '@aerial/runtime';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Publications } from './publications';

const record = (name: string, accepted = true): ImageRecord => ({
  name,
  bytes: 10,
  sha256: '0'.repeat(64),
  camera: {},
  qa: {
    accepted,
    reasons: accepted ? [] : [{ code: 'blurry', message: 'too blurry' }],
    warnings: [],
    metrics: {},
  },
});

describe('Publications: the QA table', () => {
  let root: string;
  let store: LocalFolderStore;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'aerial-publications-'));
    store = new LocalFolderStore(root);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  test('GIVEN a banked frame the Footprints stage left out THEN the QA table rejects it with that reason', async () => {
    const jobId = 'job-qa-1';
    await putJson(store, stageOutputKey(jobId, 'Ingest', 'image-records'), [
      record('a.jpg'),
      record('b.jpg'),
      record('c.jpg', false),
    ]);
    await putJson(store, keys.manifest(jobId, 'Footprints'), {
      jobId,
      stage: 'Footprints',
      startedAt: '2026-11-28T10:00:00Z',
      finishedAt: '2026-11-28T10:00:05Z',
      outputs: [],
      summary: { skipped: [{ image: 'b.jpg', code: 'tilted', reason: 'tilted 18.0° from nadir (banked)' }] },
    });
    const records = await new Publications(store).imageRecords(jobId);
    expect(records.map((r) => [r.name, r.qa.accepted, r.qa.reasons.map((q) => q.code)])).toEqual([
      ['a.jpg', true, []],
      ['b.jpg', false, ['tilted']],
      ['c.jpg', false, ['blurry']],
    ]);
    expect(records[1]!.qa.reasons[0]!.message).toMatch(/tilted 18\.0° from nadir/);
  });

  test('GIVEN no Footprints run yet THEN Ingest verdicts stand', async () => {
    const jobId = 'job-qa-2';
    await putJson(store, stageOutputKey(jobId, 'Ingest', 'image-records'), [record('a.jpg')]);
    expect((await new Publications(store).imageRecords(jobId))[0]!.qa.accepted).toBe(true);
  });
});
