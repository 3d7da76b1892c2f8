import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { zipOf } from '@aerial/pipeline/testing';
import type { BrowserContext, Page, Response } from 'playwright-core';
import { REPO_ROOT, type RunningHub, startHub } from './test-support/hub-process';
import { CHROMIUM, launchChromium } from './test-support/chromium';

const ARTIFACTS = join(REPO_ROOT, 'packages', 'tests', '.artifacts');
/** Where the page keeps the datasets of photo sets it is uploading (apps/hub/web/src/uploads.ts). */
const SETS = 'aerial-upload-sets';
/** The page's globals this test reads (the tests compile without the DOM's types). */
interface PageGlobals {
  localStorage: { getItem(key: string): string | null };
}

/** What the Hub took for each file over tus, from the page's side: requests, and bytes by offsets. */
interface Received {
  requests: number;
  bytes: number;
  /** The offset of each PATCH as sent: a resumed file's first is past 0. */
  patchOffsets: number[];
}

/**
 * Counts the tus requests a page sends per file: a creation (POST) names its file in
 * Upload-Metadata and answers its URL; a PATCH's bytes are the offsets it moved the upload by.
 */
function countUploads(page: Page): { byFile: Map<string, Received>; fileOfUrl: Map<string, string> } {
  const byFile = new Map<string, Received>();
  const fileOfUrl = new Map<string, string>();
  const entry = (name: string) => {
    if (!byFile.has(name)) byFile.set(name, { requests: 0, bytes: 0, patchOffsets: [] });
    return byFile.get(name)!;
  };
  page.on('response', (response: Response) => {
    const request = response.request();
    const url = new URL(request.url());
    if (!url.pathname.startsWith('/api/uploads')) return;
    const headers = request.headers();
    if (request.method() === 'POST') {
      const meta = Object.fromEntries(
        (headers['upload-metadata'] ?? '').split(',').map((pair) => {
          const [key, value] = pair.split(' ');
          return [key, Buffer.from(value ?? '', 'base64').toString()];
        }),
      ) as { filename?: string };
      const location = response.headers()['location'];
      if (meta.filename && location) fileOfUrl.set(new URL(location, url).pathname, meta.filename);
      if (meta.filename) {
        const e = entry(meta.filename);
        e.requests++;
        e.bytes += Number(response.headers()['upload-offset'] ?? 0);
      }
      return;
    }
    const name = fileOfUrl.get(url.pathname) ?? localStorageName(url.pathname);
    const e = entry(name);
    e.requests++;
    if (request.method() === 'PATCH') {
      const from = Number(headers['upload-offset']);
      e.patchOffsets.push(from);
      const to = Number(response.headers()['upload-offset'] ?? from);
      e.bytes += to - from;
    }
  });
  return { byFile, fileOfUrl };
}
/** A request to an upload created by an earlier page: named by its URL until matched. */
const localStorageName = (path: string) => `upload ${basename(path)}`;

/** Staged (unfinished) uploads on the Hub's disk: bytes it holds of each, by the file's name. */
function staged(hub: RunningHub): Map<string, { bytes: number; size: number; id: string }> {
  const dir = join(hub.dataDir, 'upload-staging');
  const found = new Map<string, { bytes: number; size: number; id: string }>();
  if (!existsSync(dir)) return found;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const id = file.slice(0, -'.json'.length);
    try {
      const info = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
        size: number;
        metadata: { filename: string };
      };
      found.set(info.metadata.filename, { bytes: statSync(join(dir, id)).size, size: info.size, id });
    } catch {
      // Landed and removed between the listing and the read.
    }
  }
  return found;
}

/**
 * The page's resumable uploads on the embedded services: a photo set is cut off half-way (the
 * page closed while some files are in and one is part-way), then chosen again on a new page:
 * files the Hub holds are not sent again, the part-way file goes on from the Hub's offset, and
 * the job on the set runs to SUCCEEDED.
 */
describe('the Hub page: resumable uploads', () => {
  let hub: RunningHub;
  const get = (path: string) => fetch(new URL(path, hub.url));

  beforeAll(async () => {
    hub = await startHub('embedded');
  }, 240_000);
  afterAll(async () => {
    await hub?.stop();
  });

  const browser = existsSync(CHROMIUM) ? test : test.skip;
  browser(
    'an upload cut off half-way resumes without re-sending finished files, and the job succeeds',
    async () => {
      const instance = await launchChromium();
      let context: BrowserContext | undefined;
      try {
        const dir = join(hub.dataDir, 'sample-survey', 'images');
        const photos = readdirSync(dir)
          .sort()
          .map((f) => join(dir, f));
        const totalBytes = photos.reduce((s, p) => s + statSync(p).size, 0);
        context = await instance.newContext({ viewport: { width: 1366, height: 900 } });
        const first = await context.newPage();
        const { fileOfUrl } = countUploads(first);
        const landed = async (id: string) =>
          ((await (await get(`/api/datasets/${id}`)).json()) as { files: { name: string; bytes: number }[] }).files;
        const datasetId = async (page: Page) =>
          Object.values(
            JSON.parse(
              (await page.evaluate((key) => (globalThis as unknown as PageGlobals).localStorage.getItem(key), SETS)) ??
                '{}',
            ) as Record<string, string>,
          )[0];
        // The cut: once 6 files are in, the next file's PATCH reaches the Hub with half its bytes
        // (sent from here, as a connection that drops mid-body leaves it), the page sees the
        // connection fail, and every request after it fails too, as on a link that went down.
        let cut: string | undefined;
        let halfStatus: number | undefined;
        await first.route('**/api/uploads**', async (route) => {
          const request = route.request();
          if (cut) return route.abort('internetdisconnected');
          const path = new URL(request.url()).pathname;
          const name = fileOfUrl.get(path);
          const id = await datasetId(first);
          const due = request.method() === 'PATCH' && name && id && (await landed(id)).length >= 6;
          // Handlers run concurrently: another may have cut while this one waited.
          if (cut) return route.abort('internetdisconnected');
          if (!due) return route.continue();
          cut = name;
          const bytes = readFileSync(join(dir, name));
          const half = await fetch(new URL(path, hub.url), {
            method: 'PATCH',
            headers: {
              'tus-resumable': '1.0.0',
              authorization: `Bearer ${hub.apiKey}`,
              'upload-offset': request.headers()['upload-offset'] ?? '0',
              'content-type': 'application/offset+octet-stream',
            },
            body: bytes.subarray(0, Math.floor(bytes.length / 2)),
          });
          halfStatus = half.status;
          return route.abort('internetdisconnected');
        });
        await first.goto(hub.url);
        await first.getByLabel('API key').fill(hub.apiKey);
        await first.getByLabel('API key').press('Tab');
        await first.locator('#files').setInputFiles(photos);
        for (let i = 0; i < 600 && halfStatus === undefined; i++) await new Promise((r) => setTimeout(r, 100));
        expect({ cut, halfStatus }).toEqual({ cut: expect.any(String), halfStatus: 204 });
        const id = await datasetId(first);
        await first.close();
        // Requests the Hub had taken before the cut finish on its side.
        await new Promise((r) => setTimeout(r, 500));
        const finished = new Set((await landed(id!)).map((f) => f.name));
        const stagedBefore = staged(hub);
        const partial = new Map([...stagedBefore].filter(([, s]) => s.bytes > 0 && s.bytes < s.size));
        expect(finished.size).toBeGreaterThanOrEqual(6);
        expect(finished.size).toBeLessThan(photos.length);
        expect(partial.size).toBeGreaterThan(0);

        // The same files chosen again on a new page (the browser keeps tus' fingerprints).
        const second = await context.newPage();
        const { byFile: secondCounts } = countUploads(second);
        await second.goto(hub.url);
        await second.locator('#files').setInputFiles(photos);
        await second.waitForURL(/#\/jobs\/job-/, { timeout: 120_000 });

        // Finished files: not one request, not one byte.
        for (const name of finished) expect({ name, sent: secondCounts.get(name) }).toEqual({ name, sent: undefined });
        expect(
          await second.locator('#uploads li[data-state="done"] small', { hasText: 'already uploaded' }).count(),
        ).toBe(finished.size);
        // A part-way file: no new creation; its PATCHes start at the Hub's offset and send the rest only.
        expect([...partial.keys()]).toContain(cut);
        for (const [name, s] of partial) {
          const counts = secondCounts.get(`upload ${s.id}`);
          expect({ name, created: secondCounts.has(name) }).toEqual({ name, created: false });
          expect({ name, from: counts?.patchOffsets[0], sent: counts?.bytes }).toEqual({
            name,
            from: s.bytes,
            sent: s.size - s.bytes,
          });
        }
        // Every file arrived whole; the second page sent exactly what the Hub lacked, no byte more.
        const files = await landed(id!);
        expect(files).toHaveLength(photos.length);
        for (const p of photos) expect(files).toContainEqual({ name: basename(p), bytes: statSync(p).size });
        const lacking = photos
          .filter((p) => !finished.has(basename(p)))
          .reduce((sum, p) => sum + statSync(p).size - (stagedBefore.get(basename(p))?.bytes ?? 0), 0);
        const resent = [...secondCounts.values()].reduce((sum, r) => sum + r.bytes, 0);
        expect({ resent, lacking, ofTheSet: resent / totalBytes }).toEqual({
          resent: lacking,
          lacking,
          ofTheSet: expect.any(Number),
        });
        expect(resent).toBeLessThan(totalBytes);
        expect(
          await second.locator('#upload-total progress').evaluate((b) => (b as unknown as { value: number }).value),
        ).toBe(100);

        await second.getByText('SUCCEEDED', { exact: true }).waitFor({ timeout: 240_000 });
        mkdirSync(ARTIFACTS, { recursive: true });
        await second.screenshot({ path: join(ARTIFACTS, 'hub-resumed-upload.png'), fullPage: true });
      } finally {
        await context?.close();
        await instance.close();
      }
    },
    420_000,
  );

  test('a zip of the photos goes up over tus in chunks, lands as one file and a job on it succeeds', async () => {
    const dir = join(hub.dataDir, 'sample-survey', 'images');
    const zip = await zipOf(readdirSync(dir).map((f) => ({ name: `flight/${f}`, data: readFileSync(join(dir, f)) })));
    const auth = { authorization: `Bearer ${hub.apiKey}` };
    const tus = { 'tus-resumable': '1.0.0', ...auth };
    const send = (path: string, init: RequestInit) =>
      fetch(new URL(path, hub.url), { ...init, headers: { ...tus, ...(init.headers as object) } });
    const { datasetId } = (await (
      await send('/api/datasets', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    ).json()) as { datasetId: string };
    const metadata = [`datasetId ${datasetId}`, 'filename flight.zip', 'filetype application/zip']
      .map((pair) => {
        const [key, value] = pair.split(' ') as [string, string];
        return `${key} ${Buffer.from(value).toString('base64')}`;
      })
      .join(',');
    const created = await send('/api/uploads', {
      method: 'POST',
      headers: { 'upload-length': String(zip.length), 'upload-metadata': metadata },
    });
    expect(created.status).toBe(201);
    const location = created.headers.get('location')!;
    // Three chunks, as a client with a small chunk size sends them.
    const step = Math.ceil(zip.length / 3);
    for (let offset = 0; offset < zip.length; offset += step) {
      const sent = await send(location, {
        method: 'PATCH',
        headers: { 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' },
        body: zip.subarray(offset, offset + step),
      });
      expect(sent.status).toBe(204);
    }
    const dataset = (await (await get(`/api/datasets/${datasetId}`)).json()) as { files: unknown[] };
    expect(dataset.files).toEqual([{ name: 'flight.zip', bytes: zip.length }]);
    const started = await send(`/api/datasets/${datasetId}/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(started.status).toBe(202);
    const { jobId } = (await started.json()) as { jobId: string };
    let job: { status: string } = { status: 'queued' };
    for (let i = 0; i < 480 && !['succeeded', 'failed'].includes(job.status); i++) {
      await new Promise((r) => setTimeout(r, 500));
      job = (await (await get(`/api/jobs/${jobId}`)).json()) as { status: string };
    }
    expect(job.status).toBe('succeeded');
    const qa = (await (await get(`/api/jobs/${jobId}/images`)).json()) as { images: { accepted: boolean }[] };
    expect(qa.images.filter((i) => i.accepted)).toHaveLength(readdirSync(dir).length);
  }, 300_000);
});
