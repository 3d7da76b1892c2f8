import { LocalFolderStore } from '@aerial/runtime';
import { TileDatabase } from '../db/tile-database';
import { datasetRoutes } from './datasets';
import { pluginApp } from './test-support/plugin-app';
import { useRecordingHub } from './test-support/recording-hub';

/** A multipart/form-data body of the given files, as a browser sends it. */
async function formOf(
  files: { name: string; type: string; bytes: Buffer }[],
): Promise<{ payload: Buffer; contentType: string }> {
  const form = new FormData();
  for (const f of files) form.append('file', new Blob([f.bytes], { type: f.type }), f.name);
  const request = new Request('http://hub', { method: 'POST', body: form });
  return { payload: Buffer.from(await request.arrayBuffer()), contentType: request.headers.get('content-type')! };
}

/** Uploads to a real PostgreSQL and a local folder store, with an engine that only records. */
describe('dataset routes', () => {
  const env = useRecordingHub('aerial-dataset-routes-');
  const { engine, auth } = env;
  const create = async (label?: string) =>
    (
      await env.hub.inject({ method: 'POST', url: '/api/datasets', payload: label ? { label } : {}, headers: auth() })
    ).json() as { datasetId: string; upload: string };
  const upload = async (url: string, files: { name: string; type: string; bytes: Buffer }[]) => {
    const { payload, contentType } = await formOf(files);
    return env.hub.inject({ method: 'POST', url, payload, headers: { ...auth(), 'content-type': contentType } });
  };

  test('creating a dataset needs a key and answers where to upload', async () => {
    expect((await env.hub.inject({ method: 'POST', url: '/api/datasets', payload: {} })).statusCode).toBe(401);
    const created = await env.hub.inject({
      method: 'POST',
      url: '/api/datasets',
      payload: { label: 'roof' },
      headers: auth(),
    });
    expect(created.statusCode).toBe(201);
    const { datasetId, upload } = created.json() as { datasetId: string; upload: string };
    expect(datasetId).toMatch(/^ds-\d{8}-[0-9a-f]{8}$/);
    expect(upload).toBe(`/api/datasets/${datasetId}/files`);
    expect((await env.hub.inject({ url: `/api/datasets/${datasetId}` })).json()).toEqual({
      datasetId,
      label: 'roof',
      files: [],
      bytes: 0,
    });
    expect((await env.hub.inject({ url: '/api/datasets/ds-none-here' })).statusCode).toBe(404);
    expect((await env.hub.inject({ url: '/api/datasets/not-a-dataset' })).statusCode).toBe(400);
  });

  test('files arrive over several requests and are listed with their sizes', async () => {
    const { datasetId, upload: url } = await create();
    expect((await upload(url, [{ name: 'DJI_0001.JPG', type: 'image/jpeg', bytes: Buffer.alloc(5) }])).statusCode).toBe(
      201,
    );
    const second = await upload(url, [
      { name: 'DJI_0002.JPG', type: 'image/jpeg', bytes: Buffer.alloc(7) },
      { name: 'more.zip', type: 'application/zip', bytes: Buffer.alloc(3) },
    ]);
    expect(second.statusCode).toBe(201);
    expect(second.json()).toEqual({
      datasetId,
      label: null,
      files: [
        { name: 'DJI_0001.JPG', bytes: 5 },
        { name: 'DJI_0002.JPG', bytes: 7 },
        { name: 'more.zip', bytes: 3 },
      ],
      bytes: 15,
    });
  });

  test('unsafe names, other types, empty and non-multipart bodies are refused with the reason', async () => {
    const { upload: url } = await create();
    const unsafe = await upload(url, [{ name: '..hidden.jpg', type: 'image/jpeg', bytes: Buffer.alloc(1) }]);
    expect(unsafe.statusCode).toBe(400);
    expect(unsafe.body).toMatch(/is not allowed/);
    const wrongType = await upload(url, [{ name: 'notes.txt', type: 'text/plain', bytes: Buffer.alloc(1) }]);
    expect(wrongType.statusCode).toBe(400);
    expect(wrongType.body).toMatch(/notes\.txt is text\/plain, not a photo or a zip archive/);
    const empty = await upload(url, []);
    expect(empty.statusCode).toBe(400);
    const json = await env.hub.inject({ method: 'POST', url, payload: { files: [] }, headers: auth() });
    expect(json.statusCode).toBe(415);
    expect((await upload('/api/datasets/ds-none-here/files', [])).statusCode).toBe(404);
  });

  test('a file over the limit is 413 and is not kept', async () => {
    const tiles = new TileDatabase(env.pool);
    const uploads = new LocalFolderStore(env.dir);
    const small = await pluginApp((a) =>
      a.register(datasetRoutes, {
        datasets: tiles.datasets,
        jobs: tiles.jobs,
        engine,
        uploads,
        requireApiKey: async () => undefined,
        maxFileBytes: 1024 * 1024,
      }),
    );
    try {
      const { datasetId } = await create();
      const { payload, contentType } = await formOf([
        { name: 'big.jpg', type: 'image/jpeg', bytes: Buffer.alloc(1536 * 1024) },
      ]);
      const refused = await small.inject({
        method: 'POST',
        url: `/api/datasets/${datasetId}/files`,
        payload,
        headers: { 'content-type': contentType },
      });
      expect(refused.statusCode).toBe(413);
      expect(refused.json()).toEqual({
        error: {
          name: 'Aerial.InvalidInput',
          reason: 'big.jpg is larger than 1 MiB',
          remedy: 'split the set or resize the photos',
        },
      });
      const kept = [];
      for await (const object of uploads.list(`uploads/${datasetId}/`)) kept.push(object.key);
      expect(kept).toEqual([]);
    } finally {
      await small.close();
    }
  });

  test('a job starts on a dataset with files, labelled by it, and not on an empty one', async () => {
    const { datasetId, upload: url } = await create('field 7');
    const none = await env.hub.inject({
      method: 'POST',
      url: `/api/datasets/${datasetId}/jobs`,
      payload: {},
      headers: auth(),
    });
    expect(none.statusCode).toBe(400);
    expect(none.body).toMatch(/has no files yet/);
    await upload(url, [{ name: 'DJI_0001.JPG', type: 'image/jpeg', bytes: Buffer.alloc(5) }]);
    const started = await env.hub.inject({
      method: 'POST',
      url: `/api/datasets/${datasetId}/jobs`,
      payload: { preset: 'survey' },
      headers: auth(),
    });
    expect(started.statusCode).toBe(202);
    const { jobId } = started.json() as { jobId: string };
    expect(engine.started.find((s) => s.jobId === jobId)?.request).toMatchObject({
      source: { kind: 'prefix', prefix: `uploads/${datasetId}/` },
      preset: 'survey',
      label: 'field 7',
    });
    const linked = await env.pool.query('SELECT dataset_id FROM jobs WHERE job_id = $1', [jobId]);
    expect(linked.rows[0]).toEqual({ dataset_id: datasetId });
  });
});
