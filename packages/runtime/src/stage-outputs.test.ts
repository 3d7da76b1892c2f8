import { DEFAULT_ENVIRONMENTS, declaredOutput, keys, stageOutputKey, type StageSummary } from '@aerial/contracts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { LocalFolderStore } from './object-store/local-folder-store';
import { getJson, putJson } from './object-store/object-store';
import {
  optionalStageOutputs,
  readJsonOutput,
  readStageOutput,
  readStageOutputs,
  readStageSummary,
} from './stage-outputs';
import { runStage, type StageHandler } from './stage-runtime';

const SPLAT: StageSummary<'Splat'> = { splats: 400, trained: false, trainer: null, shDegree: 0, note: 'untrained' };

describe('stage outputs as a contract', () => {
  let root: string;
  let store: LocalFolderStore;
  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'aerial-stage-outputs-'));
    store = new LocalFolderStore(root);
    await putJson(store, keys.request('job-1'), { source: { kind: 'folder', path: root } });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const run = (handler: StageHandler) =>
    runStage(
      { jobId: 'job-1', stage: 'Splat' },
      { store, environment: DEFAULT_ENVIRONMENTS.dev, handlers: { Splat: handler } },
    );

  /** A Splat stage that writes its PLY under `role` and reports `summary`. */
  const splat =
    (role: string, summary: Record<string, unknown> = SPLAT): StageHandler =>
    async () => {
      const key = stageOutputKey('job-1', 'Splat', 'splats');
      const info = await store.put(key, Buffer.from('ply'));
      return { outputs: [{ key, contentType: 'application/x-ply', bytes: info.bytes, role }], summary };
    };

  test('GIVEN a handler writing its declared roles THEN readers get them typed', async () => {
    await run(splat('splats'));
    expect(await readStageOutput(store, 'job-1', 'Splat', 'splats')).toMatchObject({
      key: 'jobs/job-1/Splat/splats.ply',
      bytes: 3,
    });
    expect(await readStageOutputs(store, 'job-1', 'Splat', 'splats')).toHaveLength(1);
    const summary = await readStageSummary(store, 'job-1', 'Splat');
    expect(summary.trained).toBe(false);
    expect(await optionalStageOutputs(store, 'job-1', 'Compress')).toBeUndefined();
  });

  test('GIVEN a handler writing a role its declaration lacks THEN the stage fails as Aerial.Internal, with no manifest', async () => {
    await expect(run(splat('gaussians'))).rejects.toMatchObject({
      name: 'Aerial.Internal',
      message: expect.stringMatching(/Splat wrote output roles its declaration lacks: gaussians/),
    });
    expect(await store.head(keys.manifest('job-1', 'Splat'))).toBeUndefined();
    expect(await getJson(store, keys.stageError('job-1', 'Splat'))).toMatchObject({ name: 'Aerial.Internal' });
  });

  test('GIVEN a summary its schema refuses THEN the stage fails as Aerial.Internal naming the fields', async () => {
    await expect(run(splat('splats', { splats: 400 }))).rejects.toMatchObject({
      name: 'Aerial.Internal',
      message: expect.stringMatching(/Splat reported a summary its schema refuses: trained/),
    });
  });

  test('reading a stage that has not run, or a role it did not write, is invalid input', async () => {
    await expect(readStageOutput(store, 'job-1', 'Compress', 'sog')).rejects.toMatchObject({
      name: 'Aerial.InvalidInput',
      message: expect.stringMatching(/stage Compress has not run/),
    });
    await putJson(store, keys.manifest('job-1', 'Compress'), {
      jobId: 'job-1',
      stage: 'Compress',
      startedAt: '2026-11-29T10:00:00Z',
      finishedAt: '2026-11-29T10:00:00Z',
      outputs: [],
      summary: {},
    });
    await expect(readStageOutput(store, 'job-1', 'Compress', 'sog')).rejects.toMatchObject({
      name: 'Aerial.InvalidInput',
      message: expect.stringMatching(/has no "sog" output/),
    });
    await expect(readStageSummary(store, 'job-1', 'Compress')).rejects.toMatchObject({
      name: 'Aerial.InvalidInput',
      message: expect.stringMatching(/invalid Compress summary: plyBytes/),
    });
  });

  test('a JSON output is validated with the schema the reader gives', async () => {
    const key = stageOutputKey('job-1', 'Ingest', 'image-records');
    const info = await putJson(store, key, [{ name: 'a.jpg' }]);
    await putJson(store, keys.manifest('job-1', 'Ingest'), {
      jobId: 'job-1',
      stage: 'Ingest',
      startedAt: '2026-11-29T10:00:00Z',
      finishedAt: '2026-11-29T10:00:00Z',
      outputs: [declaredOutput('Ingest', 'image-records', { key, bytes: info.bytes })],
      summary: {},
    });
    const names = z.array(z.object({ name: z.string() }));
    expect(await readJsonOutput(store, 'job-1', 'Ingest', 'image-records', names)).toEqual([{ name: 'a.jpg' }]);
    await expect(
      readJsonOutput(store, 'job-1', 'Ingest', 'image-records', z.array(z.object({ sha256: z.string() }))),
    ).rejects.toMatchObject({ name: 'Aerial.InvalidInput', message: expect.stringMatching(/0\.sha256/) });
  });
});
