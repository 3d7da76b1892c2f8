import { createServer, type IncomingMessage } from 'node:http';
import { type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArgoWorkflowsEngine } from './argo-workflows-engine';

/** A stand-in for the Argo Server's REST API: records requests, answers like Argo. */
describe('ArgoWorkflowsEngine', () => {
  const requests: { method: string; url: string; auth?: string; body: unknown }[] = [];
  const phases = new Map<string, string>();
  let url: string;
  let dir: string;
  const server = createServer((req: IncomingMessage, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined;
      requests.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, body });
      res.setHeader('content-type', 'application/json');
      const submit = /^\/api\/v1\/workflows\/aerial-pipeline\/submit$/.exec(req.url!);
      const get = /^\/api\/v1\/workflows\/aerial-pipeline\/([a-z0-9-]+)$/.exec(req.url!);
      const stop = /^\/api\/v1\/workflows\/aerial-pipeline\/([a-z0-9-]+)\/stop$/.exec(req.url!);
      if (submit && req.method === 'POST') {
        const name = (body!.submitOptions as { name: string }).name;
        phases.set(name, 'Running');
        return res.end(JSON.stringify({ metadata: { name } }));
      }
      if (get && req.method === 'GET' && phases.has(get[1]!)) {
        return res.end(
          JSON.stringify({
            metadata: { name: get[1] },
            status: { phase: phases.get(get[1]!), message: 'child failed' },
          }),
        );
      }
      const retry = /^\/api\/v1\/workflows\/aerial-pipeline\/([a-z0-9-]+)\/retry$/.exec(req.url!);
      if (retry && req.method === 'PUT' && phases.has(retry[1]!)) {
        // As Argo's FormulateRetryWorkflow: only a Failed or Errored workflow is retried.
        if (!['Failed', 'Error'].includes(phases.get(retry[1]!) ?? '')) {
          res.statusCode = 400;
          return res.end(
            JSON.stringify({ code: 3, message: `Cannot retry a workflow in phase ${phases.get(retry[1]!)}` }),
          );
        }
        phases.set(retry[1]!, 'Running');
        return res.end(JSON.stringify({ metadata: { name: retry[1] } }));
      }
      if (stop && req.method === 'PUT') {
        phases.set(stop[1]!, 'Failed');
        return res.end(JSON.stringify({ metadata: { name: stop[1] } }));
      }
      if (req.url === '/api/v1/workflow-templates/aerial-pipeline/aerial-job') return res.end('{}');
      res.statusCode = 404;
      return res.end(JSON.stringify({ code: 5, message: 'not found' }));
    });
  });
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    dir = mkdtempSync(join(tmpdir(), 'aerial-argo-'));
    writeFileSync(join(dir, 'token'), 'sa-token\n');
  });
  afterAll(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('submits the job from the WorkflowTemplate with its parameters, describes, stops and resumes it', async () => {
    const engine = new ArgoWorkflowsEngine({
      serverUrl: url,
      namespace: 'aerial-pipeline',
      tokenFile: join(dir, 'token'),
    });
    await engine.ping();
    const request = {
      source: { kind: 'prefix' as const, prefix: 'uploads/ds-1/' },
      preset: 'map' as const,
      options: {},
      priority: 'normal' as const,
      notify: [],
    };
    expect(await engine.start('job-20261122-abcd1234', request)).toBe('job-20261122-abcd1234');
    expect(requests.find((r) => r.method === 'POST')).toEqual({
      method: 'POST',
      url: '/api/v1/workflows/aerial-pipeline/submit',
      auth: 'Bearer sa-token',
      body: {
        namespace: 'aerial-pipeline',
        resourceKind: 'WorkflowTemplate',
        resourceName: 'aerial-job',
        submitOptions: {
          name: 'job-20261122-abcd1234',
          labels: 'aerial.dev/job=job-20261122-abcd1234',
          parameters: ['jobId=job-20261122-abcd1234', 'preset=map', `request=${JSON.stringify(request)}`],
        },
      },
    });
    expect(await engine.describe('job-20261122-abcd1234')).toEqual({ status: 'RUNNING' });
    await engine.stop('job-20261122-abcd1234', 'cancelled through the Hub');
    expect(await engine.describe('job-20261122-abcd1234')).toEqual({
      status: 'FAILED',
      error: 'Argo.Failed',
      cause: 'child failed',
    });
    expect(await engine.describe('job-unknown')).toBeUndefined();

    // Resume: Argo's retry, keeping the succeeded nodes.
    await engine.resume('job-20261122-abcd1234');
    expect(requests.at(-1)).toEqual({
      method: 'PUT',
      url: '/api/v1/workflows/aerial-pipeline/job-20261122-abcd1234/retry',
      auth: 'Bearer sa-token',
      body: { name: 'job-20261122-abcd1234', namespace: 'aerial-pipeline', restartSuccessful: false },
    });
    expect(await engine.describe('job-20261122-abcd1234')).toEqual({ status: 'RUNNING' });
    await expect(engine.resume('job-20261122-abcd1234')).rejects.toMatchObject({
      name: 'Aerial.JobStateConflict',
      reason: expect.stringMatching(/Cannot retry a workflow in phase Running/),
    });
    await expect(engine.resume('job-unknown')).rejects.toThrow(/could not retry job-unknown \(404\)/);
    await expect(new ArgoWorkflowsEngine({ serverUrl: url, namespace: 'elsewhere' }).ping()).rejects.toThrow(
      /answered 404/,
    );
  });
});
