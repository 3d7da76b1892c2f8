import { JOB_OPTION_DEFAULTS } from '@aerial/contracts';
import { useRecordingHub } from './test-support/recording-hub';

describe('job options', () => {
  const h = useRecordingHub('aerial-job-options-');

  test('GET /api/job-options gives every preset with its stages, and the contract defaults', async () => {
    const reply = await h.hub.inject({ url: '/api/job-options' });
    expect(reply.statusCode).toBe(200);
    const info = reply.json<{ presets: { name: string; stages: string[] }[]; defaults: unknown }>();
    expect(info.presets.map((p) => p.name)).toEqual(['survey', 'map', '3d', 'full']);
    expect(info.presets.find((p) => p.name === 'survey')?.stages).not.toContain('Publish');
    expect(info.presets.find((p) => p.name === 'map')?.stages).toContain('Publish');
    expect(info.defaults).toEqual(JOB_OPTION_DEFAULTS);
  });

  async function uploadedDataset(): Promise<string> {
    const { datasetId } = (
      await h.hub.inject({ method: 'POST', url: '/api/datasets', headers: h.auth(), payload: { label: '3 photos' } })
    ).json<{ datasetId: string }>();
    const boundary = 'x-boundary';
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\nJPEG\r\n--${boundary}--\r\n`;
    const sent = await h.hub.inject({
      method: 'POST',
      url: `/api/datasets/${datasetId}/files`,
      headers: { ...h.auth(), 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: body,
    });
    expect(sent.statusCode).toBeLessThan(300);
    return datasetId;
  }

  test("a dataset's job takes every option, and the job's detail shows them (a webhook by its origin)", async () => {
    const datasetId = await uploadedDataset();
    const options = {
      preset: 'survey',
      priority: 'high',
      label: 'north field',
      notify: [
        { kind: 'webhook', url: 'https://hooks.example.org/t/secret-token' },
        { kind: 'email', address: 'pilot@example.org' },
      ],
      options: { flightHeightM: 80 },
    };
    const started = await h.hub.inject({
      method: 'POST',
      url: `/api/datasets/${datasetId}/jobs`,
      headers: h.auth(),
      payload: options,
    });
    expect(started.statusCode).toBe(202);
    const { jobId } = started.json<{ jobId: string }>();
    expect(h.engine.started.find((s) => s.jobId === jobId)?.request).toEqual({
      source: { kind: 'prefix', prefix: expect.stringContaining(datasetId) },
      ...options,
    });
    const detail = (await h.hub.inject({ url: `/api/jobs/${jobId}` })).json<{ request: unknown; stages: string[] }>();
    expect(detail.request).toEqual({
      ...options,
      notify: [
        { kind: 'webhook', url: 'https://hooks.example.org' },
        { kind: 'email', address: 'pilot@example.org' },
      ],
    });
    expect(detail.stages).not.toContain('Publish');
  });

  test("a dataset's job without options gets the contract defaults and the dataset's label", async () => {
    const datasetId = await uploadedDataset();
    const started = await h.hub.inject({
      method: 'POST',
      url: `/api/datasets/${datasetId}/jobs`,
      headers: h.auth(),
      payload: {},
    });
    expect(started.statusCode).toBe(202);
    const { jobId } = started.json<{ jobId: string }>();
    const { source: _source, ...request } = h.engine.started.find((s) => s.jobId === jobId)!.request;
    expect(request).toEqual({ ...JOB_OPTION_DEFAULTS, label: '3 photos' });
  });
});
