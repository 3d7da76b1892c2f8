import { AERIAL_PIPELINE, stagesFor } from '@aerial/definition';
import { tileAt } from '@aerial/pipeline';
import { VectorTile } from '@mapbox/vector-tile';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import Pbf from 'pbf';
import { basename, join } from 'node:path';
import { REPO_ROOT, type RunningHub, startHub } from './test-support/hub-process';
import { CHROMIUM, launchChromium } from './test-support/chromium';

const ARTIFACTS = join(REPO_ROOT, 'packages', 'tests', '.artifacts');

/** The sample survey `aerial sample` rendered before the Hub started. */
function samplePhotos(hub: RunningHub): string[] {
  const dir = join(hub.dataDir, 'sample-survey', 'images');
  return readdirSync(dir).map((f) => join(dir, f));
}

interface Job {
  jobId: string;
  status: string;
  label: string | null;
}

/**
 * The Hub as users run it (`pnpm start`): its own process, the local engine as another, the
 * sample job started on launch. The same API checks run on the embedded services (PGlite +
 * PostGIS, aedes) and on the real ones (PostgreSQL + PostGIS, Mosquitto).
 */
describe.each(['embedded', 'real'] as const)('the Hub on %s services', (services) => {
  let hub: RunningHub;
  let jobId: string;
  const get = (path: string, init?: RequestInit) => fetch(new URL(path, hub.url), init);
  const json = async <T>(path: string): Promise<T> => (await (await get(path)).json()) as T;

  beforeAll(async () => {
    hub = await startHub(services);
  }, 240_000);
  afterAll(async () => {
    await hub?.stop();
  });

  test('the sample job runs to SUCCEEDED and is published, with its events stored', async () => {
    const deadline = Date.now() + 240_000;
    let job: Job | undefined;
    for (;;) {
      job = (await json<{ jobs: Job[] }>('/api/jobs')).jobs[0];
      if (job && ['succeeded', 'failed'].includes(job.status)) break;
      if (Date.now() > deadline) throw new Error(`the sample job did not finish:\n${hub.log.join('\n')}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(job).toMatchObject({ status: 'succeeded', label: 'sample survey' });
    jobId = job.jobId;
    for (let i = 0; i < 50 && (await get(`/api/jobs/${jobId}/products`)).status !== 200; i++)
      await new Promise((r) => setTimeout(r, 200));
    const detail = await json<{ events: { type: string }[] }>(`/api/jobs/${jobId}`);
    expect([...new Set(detail.events.map((e) => e.type))]).toEqual(
      expect.arrayContaining(['job.started', 'stage.succeeded', 'job.published', 'job.succeeded']),
    );
    // On the real services Publish wrote to the published store only (see startHub).
    const pointer = (store: string) => existsSync(join(hub.dataDir, store, 'published', jobId, 'current.json'));
    expect({ objects: pointer('objects'), published: pointer('published-bucket') }).toEqual(
      services === 'real' ? { objects: false, published: true } : { objects: true, published: false },
    );
  }, 300_000);

  test('health and readiness', async () => {
    expect(await json('/health')).toEqual({ status: 'ok' });
    expect(await json('/ready')).toMatchObject({ status: 'ready' });
  });

  test('products: TileJSON, tiles with ETag and 304, footprints, QA table, downloads', async () => {
    const products = await json<{
      minZoom: number;
      maxZoom: number;
      bbox: number[];
      downloads: { product: string; href: string }[];
    }>(`/api/jobs/${jobId}/products`);
    expect(products.downloads.map((d) => d.product)).toEqual(
      expect.arrayContaining(['orthomosaic', 'preview', 'stac']),
    );
    const tilejson = await json<{ tiles: string[]; minzoom: number; maxzoom: number }>(`/tiles/${jobId}/tilejson.json`);
    expect(tilejson.tiles[0]).toMatch(new RegExp(`/tiles/${jobId}/\\{z\\}/\\{x\\}/\\{y\\}\\.webp$`));
    // The tile under the middle of the job at its finest zoom.
    const z = tilejson.maxzoom;
    const lon = (products.bbox[0]! + products.bbox[2]!) / 2;
    const lat = (products.bbox[1]! + products.bbox[3]!) / 2;
    const [x, y] = tileAt(lon, lat, z);
    const tile = await get(`/tiles/${jobId}/${z}/${x}/${y}.webp`);
    expect(tile.status).toBe(200);
    expect(tile.headers.get('content-type')).toBe('image/webp');
    expect(
      Buffer.from(await tile.arrayBuffer())
        .subarray(8, 12)
        .toString(),
    ).toBe('WEBP');
    const etag = tile.headers.get('etag')!;
    expect(tile.headers.get('cache-control')).toMatch(/max-age=\d+/);
    expect((await get(`/tiles/${jobId}/${z}/${x}/${y}.webp`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    expect((await get(`/tiles/${jobId}/${z}/0/0.webp`)).status).toBe(204);
    const mvt = await get(`/tiles/${jobId}/footprints/${z}/${x}/${y}.pbf`);
    expect(mvt.headers.get('content-type')).toBe('application/vnd.mapbox-vector-tile');
    const layer = new VectorTile(new Pbf(Buffer.from(await mvt.arrayBuffer()))).layers.footprints!;
    expect(layer.length).toBeGreaterThan(0);
    expect(layer.feature(0).properties).toMatchObject({ accepted: true });
    const footprints = await json<{ features: unknown[] }>(`/api/jobs/${jobId}/footprints`);
    expect(footprints.features).toHaveLength(24);
    const qa = await json<{ images: { accepted: boolean }[] }>(`/api/jobs/${jobId}/images`);
    expect(qa.images.filter((i) => i.accepted)).toHaveLength(24);
    const around = await json<{ reconstructions: { jobId: string }[] }>(
      `/api/reconstructions?bbox=${products.bbox.map((v) => v.toFixed(6)).join(',')}`,
    );
    expect(around.reconstructions.map((r) => r.jobId)).toContain(jobId);
    const elsewhere = await json<{ reconstructions: unknown[] }>('/api/reconstructions?bbox=10,10,11,11');
    expect(elsewhere.reconstructions).toEqual([]);
    const download = await get(`/api/jobs/${jobId}/download/orthomosaic`);
    expect(download.headers.get('content-disposition')).toBe(`attachment; filename="${jobId}-orthomosaic.tif"`);
    expect(Buffer.from(await download.arrayBuffer()).subarray(0, 4)).toEqual(Buffer.from([0x49, 0x49, 42, 0]));
  });

  test('bad requests get a 4xx with a clear message, never a 500', async () => {
    const key = { authorization: `Bearer ${hub.apiKey}`, 'content-type': 'application/json' };
    const cases: [string, RequestInit, number, RegExp][] = [
      ['/api/jobs/no-such-job', {}, 404, /no job no-such-job/],
      ['/api/jobs/NOT_A_JOB', {}, 400, /jobId/],
      ["/api/jobs/x';DROP TABLE jobs;--", {}, 400, /jobId/],
      ['/tiles/..%2F..%2Fetc/1/2/3.webp', {}, 400, /jobId/],
      [`/tiles/${jobId}/99/1/1.webp`, {}, 400, /z/],
      [`/api/jobs/${jobId}/download/..%2Fsecrets`, {}, 400, /product/],
      ['/api/jobs?limit=abc', {}, 400, /limit/],
      ['/api/reconstructions?bbox=1,2,3', {}, 400, /west,south,east,north/],
      ['/api/reconstructions?bbox=3,2,1,4', {}, 400, /west ≤ east/],
      ['/api/jobs', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } }, 401, /API key/],
      [
        '/api/jobs',
        { method: 'POST', body: '{}', headers: { ...key, authorization: 'Bearer aerial_nope_nope' } },
        401,
        /API key/,
      ],
      ['/api/jobs', { method: 'POST', body: '{"source":', headers: key }, 400, /JSON/i],
      [
        '/api/jobs',
        { method: 'POST', body: JSON.stringify({ source: { kind: 'folder', path: 7 } }), headers: key },
        400,
        /source/,
      ],
      [
        '/api/jobs',
        { method: 'POST', body: JSON.stringify({ pad: 'x'.repeat(200_000) }), headers: key },
        413,
        /large|limit/i,
      ],
      [
        '/api/jobs',
        { method: 'POST', body: 'source=x', headers: { ...key, 'content-type': 'text/plain' } },
        400,
        /object/,
      ],
      [
        '/api/jobs',
        { method: 'POST', body: '<a/>', headers: { ...key, 'content-type': 'application/xml' } },
        415,
        /Unsupported Media Type/i,
      ],
    ];
    for (const [path, init, status, message] of cases) {
      const response = await get(path, init);
      const body = await response.text();
      expect({ path, status: response.status }).toEqual({ path, status });
      expect({ path, body }).toEqual({ path, body: expect.stringMatching(message) });
    }
  });

  test('uploads: a dataset takes photos (multipart), refuses wrong types and unsafe names, and a job runs on it', async () => {
    const auth = { authorization: `Bearer ${hub.apiKey}` };
    const created = await get('/api/datasets', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ label: 'uploaded sample' }),
    });
    expect(created.status).toBe(201);
    const { datasetId, upload } = (await created.json()) as { datasetId: string; upload: string };
    const send = (files: [string, Buffer, string][]) => {
      const form = new FormData();
      for (const [name, bytes, type] of files) form.append('file', new Blob([bytes], { type }), name);
      return get(upload, { method: 'POST', headers: auth, body: form });
    };
    const wrongType = await send([['notes.txt', Buffer.from('hello'), 'text/plain']]);
    expect(wrongType.status).toBe(400);
    expect(await wrongType.text()).toMatch(/not a photo or a zip archive/);
    const traversal = await send([['..', Buffer.from('x'), 'image/jpeg']]);
    expect(traversal.status).toBe(400);
    expect((await get(upload, { method: 'POST', headers: auth, body: 'x' })).status).toBe(415);
    const photos = samplePhotos(hub);
    // Two requests: an interrupted set is resumed by sending what the dataset lacks.
    for (const half of [photos.slice(0, 12), photos.slice(12)]) {
      const sent = await send(half.map((p) => [basename(p), readFileSync(p), 'image/jpeg']));
      expect(sent.status).toBe(201);
    }
    const dataset = (await (await get(`/api/datasets/${datasetId}`)).json()) as { files: unknown[]; bytes: number };
    expect(dataset.files).toHaveLength(24);
    const started = await get(`/api/datasets/${datasetId}/jobs`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ preset: 'survey' }),
    });
    expect(started.status).toBe(202);
    const { jobId: uploaded } = (await started.json()) as { jobId: string };
    for (let i = 0; i < 120; i++) {
      const job = (await (await get(`/api/jobs/${uploaded}`)).json()) as { status: string };
      if (job.status === 'succeeded') break;
      if (job.status === 'failed') throw new Error(`the job on the uploaded dataset failed:\n${hub.log.join('\n')}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const qa = (await (await get(`/api/jobs/${uploaded}/images`)).json()) as { images: { accepted: boolean }[] };
    expect(qa.images.filter((i) => i.accepted)).toHaveLength(24);
  }, 120_000);

  const browser = existsSync(CHROMIUM) ? test : test.skip;
  if (!existsSync(CHROMIUM))
    console.warn(`skipping the browser test: ${CHROMIUM} is absent (tools/services/setup.sh installs it)`);
  browser(
    'in Chromium: photos dropped on the page upload with progress, the job runs live, the mosaic renders on the map',
    async () => {
      const instance = await launchChromium();
      try {
        const page = await instance.newPage({ viewport: { width: 1366, height: 900 } });
        const external: string[] = [];
        page.on('request', (r) => {
          if (!r.url().startsWith(hub.url) && !r.url().startsWith('data:') && !r.url().startsWith('blob:'))
            external.push(r.url());
        });
        const tiles: number[] = [];
        page.on('response', (r) => {
          if (/\/tiles\/.+\.webp$/.test(r.url())) tiles.push(r.status());
        });
        await page.goto(hub.url);
        await page.getByLabel('API key').fill(hub.apiKey);
        await page.getByLabel('API key').press('Tab');
        await page.locator('#files').setInputFiles(samplePhotos(hub));
        await page.waitForURL(/#\/jobs\/job-/, { timeout: 120_000 });
        expect(await page.locator('#uploads progress').count()).toBe(24);
        await page.getByText('SUCCEEDED', { exact: true }).waitFor({ timeout: 240_000 });
        await page.locator('body[data-map-ready="true"]').waitFor({ timeout: 30_000 });
        // Runs in the page: the map fired "idle" (tiles loaded) at least once.
        await page.locator('body[data-map-idle]').waitFor({ timeout: 30_000 });
        const values = await page
          .locator('#stages progress')
          .evaluateAll((bars) => bars.map((b) => (b as unknown as { value: number }).value));
        expect(values).toContain(100);
        // A map job's cards are its preset's stages, from the API: no 3D stages left waiting.
        const cards = await page.locator('#stages li').evaluateAll((items) => items.map((li) => li.dataset.stage));
        expect(cards).toEqual(stagesFor(AERIAL_PIPELINE, 'map'));
        for (const stage of ['SfM', 'Splat', 'Compress']) expect(cards).not.toContain(stage);
        expect(await page.locator('#qa tbody tr').count()).toBe(24);
        expect(tiles.filter((s) => s === 200).length).toBeGreaterThan(0);
        expect(external).toEqual([]);
        mkdirSync(ARTIFACTS, { recursive: true });
        await page.screenshot({ path: join(ARTIFACTS, `hub-${services}.png`), fullPage: true });
      } finally {
        await instance.close();
      }
    },
    300_000,
  );
});
