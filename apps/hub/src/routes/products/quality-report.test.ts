import { type ImageRecord, type PipelineEvent, stageOutputKey } from '@aerial/contracts';
import { LocalFolderStore, putJson } from '@aerial/runtime';
import type { FastifyInstance } from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Publications } from '../../products/publications';
import { exampleReportView, TINY_JPEG } from '../../report/test-support/example-report';
import { firstPage } from '../../report/test-support/pdf-pages';
import { pluginApp, publish } from '../test-support/plugin-app';
import { qualityReportRoutes } from './quality-report';

const record = (name: string, accepted: boolean): ImageRecord => ({
  name,
  bytes: 1000,
  sha256: '0'.repeat(64),
  width: 4000,
  height: 3000,
  camera: { make: 'Canon', model: 'PowerShot SX260 HS', focalLengthMm: 4.5 },
  ...(accepted
    ? { key: `jobs/job-report-2/Ingest/images/${name}`, captureTime: `2026:01:02 10:0${name.length % 10}:00` }
    : {}),
  qa: {
    accepted,
    reasons: accepted ? [] : [{ code: 'blurry', message: 'the photo is blurred' }],
    warnings: [],
    metrics: {},
  },
});

describe('quality report routes', () => {
  const published = 'job-report-1';
  const unpublished = 'job-report-2';
  let dir: string;
  let app: FastifyInstance;
  const events: PipelineEvent[] = [
    { type: 'stage.started', jobId: published, stage: 'Ingest', attempt: 1, at: '2026-01-02T10:00:00.000Z' },
    {
      type: 'stage.failed',
      jobId: published,
      stage: 'Ingest',
      at: '2026-01-02T10:00:02.000Z',
      error: { name: 'Aerial.Transient', reason: 'network' },
    },
    { type: 'stage.started', jobId: published, stage: 'Ingest', attempt: 2, at: '2026-01-02T10:00:05.000Z' },
    { type: 'stage.succeeded', jobId: published, stage: 'Ingest', at: '2026-01-02T10:00:09.250Z' },
    { type: 'stage.started', jobId: published, stage: 'Footprints', attempt: 1, at: '2026-01-02T10:00:10.000Z' },
  ];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aerial-report-routes-'));
    const store = new LocalFolderStore(dir);
    const { prefix } = await publish(store, published, { 'quality-report': 'report/quality-report.json' });
    const { source: _source, timing: _timing, ...report } = exampleReportView();
    await putJson(store, `${prefix}/report/quality-report.json`, { ...report, jobId: published });
    await putJson(store, stageOutputKey(unpublished, 'Ingest', 'image-records'), [
      record('IMG_1.JPG', true),
      record('IMG_2.JPG', true),
      record('IMG_3.JPG', false),
    ]);
    await putJson(store, stageOutputKey(unpublished, 'Ingest', 'thumbnails'), [
      { image: 'IMG_3.JPG', dataUrl: TINY_JPEG, width: 24, height: 16 },
    ]);
    app = await pluginApp((a) =>
      a.register(qualityReportRoutes, {
        store,
        published: store,
        publications: new Publications(store, store, 0),
        events: { events: async (jobId: string) => events.filter((e) => e.jobId === jobId) },
      }),
    );
  });
  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a published job: the published report, with the timing per stage from its events', async () => {
    const response = await app.inject({ url: `/api/jobs/${published}/report` });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({
      jobId: published,
      source: 'published',
      photos: { files: 5, accepted: 3, rejected: 2 },
      gsd: { cm: { median: 1.7 } },
    });
    expect(body.timing).toEqual([
      {
        stage: 'Ingest',
        startedAt: '2026-01-02T10:00:00.000Z',
        finishedAt: '2026-01-02T10:00:09.250Z',
        seconds: 9.25,
        attempts: 2,
        outcome: 'succeeded',
      },
      {
        stage: 'Footprints',
        startedAt: '2026-01-02T10:00:10.000Z',
        finishedAt: null,
        seconds: null,
        attempts: 1,
        outcome: 'running',
      },
    ]);
  });

  test('a job without a published report: composed from what its stages wrote (here Ingest alone)', async () => {
    const response = await app.inject({ url: `/api/jobs/${unpublished}/report` });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      source: 'stage-outputs',
      stages: ['Ingest'],
      photos: { files: 3, accepted: 2, rejected: 1 },
      camera: { make: 'Canon', widthPx: 4000, heightPx: 3000, otherCameras: 0 },
      gsd: null,
      registration: null,
      coverage: null,
      rejected: [
        {
          image: 'IMG_3.JPG',
          stage: 'Ingest',
          reasons: [{ code: 'blurry', message: 'the photo is blurred' }],
          thumbnail: { dataUrl: TINY_JPEG, width: 24, height: 16 },
        },
      ],
      timing: [],
    });
  });

  test('the PDF is an attachment that pdftoppm opens', async () => {
    for (const jobId of [published, unpublished]) {
      const response = await app.inject({ url: `/api/jobs/${jobId}/report.pdf` });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('application/pdf');
      expect(response.headers['content-disposition']).toBe(`attachment; filename="${jobId}-quality-report.pdf"`);
      const page = firstPage(response.rawPayload, 20);
      expect(page.width).toBeGreaterThan(100);
    }
  });

  test('a job Ingest has not reached: 404 for both, with why', async () => {
    for (const url of ['/api/jobs/job-report-none/report', '/api/jobs/job-report-none/report.pdf']) {
      const response = await app.inject({ url });
      expect(response.statusCode).toBe(404);
      expect(response.json().error.reason).toMatch(/quality report for job job-report-none/);
    }
  });
});
