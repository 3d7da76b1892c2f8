import { type QualityReportView, StageManifestSchema } from '@aerial/contracts';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, type RunningHub, startHub } from './test-support/hub-process';
import { CHROMIUM, launchChromium } from './test-support/chromium';

const ARTIFACTS = join(REPO_ROOT, 'packages', 'tests', '.artifacts');

/** Share of a PPM's pixels (pdftoppm's output) that are not white. */
function inkedShare(ppm: Buffer): number {
  const header = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(ppm.subarray(0, 50).toString('latin1'))!;
  const pixels = ppm.subarray(header[0].length);
  let inked = 0;
  for (let i = 0; i < pixels.length; i += 3) if (pixels[i]! + pixels[i + 1]! + pixels[i + 2]! < 3 * 235) inked++;
  return inked / (pixels.length / 3);
}

/**
 * The sample job's quality report as users get it: the JSON, the report in the job page (in
 * Chromium) and the PDF (opened by poppler), on the embedded services.
 */
describe('the quality report of the sample job', () => {
  let hub: RunningHub;
  let jobId: string;
  let surveyJobId: string;
  const get = (path: string) => fetch(new URL(path, hub.url));

  beforeAll(async () => {
    hub = await startHub('embedded');
    const deadline = Date.now() + 240_000;
    for (;;) {
      const job = ((await (await get('/api/jobs')).json()) as { jobs: { jobId: string; status: string }[] }).jobs[0];
      if (job?.status === 'failed') throw new Error(`the sample job failed:\n${hub.log.join('\n')}`);
      if (job?.status === 'succeeded' && (await get(`/api/jobs/${job.jobId}/products`)).status === 200) {
        jobId = job.jobId;
        break;
      }
      if (Date.now() > deadline) throw new Error(`the sample job did not finish:\n${hub.log.join('\n')}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 300_000);
  afterAll(async () => {
    await hub?.stop();
  });

  test('the published report: its figures are the stage summaries, with timing for every stage that ran', async () => {
    const report = (await (await get(`/api/jobs/${jobId}/report`)).json()) as QualityReportView;
    const summary = (stage: string) =>
      StageManifestSchema.parse(
        JSON.parse(readFileSync(join(hub.dataDir, 'objects', 'jobs', jobId, stage, 'manifest.json'), 'utf8')),
      ).summary as Record<string, unknown>;
    const footprints = summary('Footprints');
    const mosaic = summary('Orthomosaic');
    expect(report).toMatchObject({
      source: 'published',
      stages: ['Ingest', 'Footprints', 'Orthomosaic', 'Tiles'],
      photos: { files: 24, accepted: 24, rejected: 0 },
      flight: { forwardOverlap: footprints.forwardOverlap, sideOverlap: footprints.sideOverlap },
      gsd: { cm: footprints.gsdCm, mosaicCm: mosaic.gsdCm },
      registration: { rmsResidualPx: footprints.rmsResidualPx, pairs: footprints.pairs },
      products: { orthomosaic: { widthPx: mosaic.widthPx, heightPx: mosaic.heightPx } },
      rejected: [],
    });
    expect(report.coverage!.footprints).toHaveLength(24);
    expect(report.registration!.perPhoto).toHaveLength(24);
    const timed = report.timing.map((t) => t.stage);
    expect(timed).toEqual(expect.arrayContaining(['GuardBudget', 'Ingest', 'Footprints', 'Orthomosaic', 'Publish']));
    expect(report.timing.every((t) => t.outcome === 'succeeded' && t.seconds! >= 0)).toBe(true);
  });

  test('the PDF opens in pdftoppm and its first page is not blank', async () => {
    const response = await get(`/api/jobs/${jobId}/report.pdf`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    const pdf = join(ARTIFACTS, 'quality-report.pdf');
    writeFileSync(pdf, Buffer.from(await response.arrayBuffer()));
    // The first page: a PNG to look at, and a PPM (plain RGB) to count its pixels.
    const page = (dpi: number, ...format: string[]) =>
      execFileSync('pdftoppm', [
        ...format,
        ...['-r', String(dpi), '-f', '1', '-l', '1', '-singlefile', pdf, join(ARTIFACTS, 'quality-report-pdf')],
      ]);
    page(80, '-png');
    page(40);
    const share = inkedShare(readFileSync(join(ARTIFACTS, 'quality-report-pdf.ppm')));
    console.log(`PDF first page: ${(share * 100).toFixed(1)} % inked`);
    expect(share).toBeGreaterThan(0.03);
  });

  test('a survey job (no Metadata, no Publish) with a duplicate photo: composed from its stage outputs, the copy left out with a preview', async () => {
    // The sample's photos and a copy of one under another name, started as a survey job.
    const dir = join(hub.dataDir, 'survey-with-duplicate');
    mkdirSync(dir);
    const photos = join(hub.dataDir, 'sample-survey', 'images');
    for (const name of readdirSync(photos)) copyFileSync(join(photos, name), join(dir, name));
    copyFileSync(join(photos, readdirSync(photos).sort()[0]!), join(dir, 'ZZ_COPY.JPG'));
    const started = await fetch(new URL('/api/jobs', hub.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${hub.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ source: { kind: 'folder', path: dir }, preset: 'survey', label: 'survey with a copy' }),
    });
    expect(started.status).toBe(202);
    surveyJobId = ((await started.json()) as { jobId: string }).jobId;
    for (let i = 0; ; i++) {
      const { status } = (await (await get(`/api/jobs/${surveyJobId}/status`)).json()) as { status: string };
      if (status === 'succeeded') break;
      if (status === 'failed' || i > 240) throw new Error(`the survey job ended ${status}:\n${hub.log.join('\n')}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const report = (await (await get(`/api/jobs/${surveyJobId}/report`)).json()) as QualityReportView;
    expect(report).toMatchObject({
      source: 'stage-outputs',
      stages: ['Ingest', 'Footprints'],
      photos: { files: 25, accepted: 24, rejected: 1 },
      products: { orthomosaic: null, tiles: null, splats: null },
      gsd: { mosaicCm: null },
    });
    expect(report.rejected).toEqual([
      {
        image: 'ZZ_COPY.JPG',
        stage: 'Ingest',
        reasons: [expect.objectContaining({ code: 'duplicate' })],
        thumbnail: expect.objectContaining({ dataUrl: expect.stringMatching(/^data:image\/jpeg;base64,/) }),
      },
    ]);
    expect(report.timing.map((t) => t.stage)).toEqual(['GuardBudget', 'Ingest', 'Footprints', 'Notify']);
  }, 180_000);

  const browser = existsSync(CHROMIUM) ? test : test.skip;
  browser(
    "in Chromium: the job page shows the report (overlap map, GSD, timing, residuals); a survey job's shows its parts and the rejected photo",
    async () => {
      const instance = await launchChromium();
      try {
        const page = await instance.newPage({ viewport: { width: 1366, height: 900 } });
        const failed: string[] = [];
        page.on('response', (r) => {
          if (r.url().includes('/report') && r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
        });
        await page.goto(`${hub.url}/#/jobs/${jobId}`);
        const section = page.locator('#quality-report[data-ready="true"]');
        await section.waitFor({ timeout: 30_000 });
        expect(await section.locator('.report-overlap svg rect').count()).toBeGreaterThan(10);
        expect(await section.locator('.report-overlap svg polygon').count()).toBe(24);
        expect(await section.locator('.report-gsd svg rect').count()).toBeGreaterThan(0);
        expect(
          await section.getByRole('table', { name: 'Timing per stage' }).locator('tbody tr').count(),
        ).toBeGreaterThan(4);
        expect(
          await section
            .getByRole('table', { name: 'Registration residuals and GSD per photo' })
            .locator('tbody tr')
            .count(),
        ).toBe(24);
        await expect(section.getByRole('link', { name: 'Download the PDF' }).getAttribute('href')).resolves.toBe(
          `/api/jobs/${jobId}/report.pdf`,
        );
        expect(failed).toEqual([]);
        await section.screenshot({ path: join(ARTIFACTS, 'quality-report.png') });

        // The survey job: the parts its stages made, and the copy's preview.
        await page.goto(`${hub.url}/#/jobs/${surveyJobId}`);
        const survey = page.locator('#quality-report[data-ready="true"]');
        await survey.waitFor({ timeout: 30_000 });
        expect(await survey.locator('.report-overlap svg polygon').count()).toBe(24);
        const preview = survey.getByRole('img', { name: 'preview of ZZ_COPY.JPG' });
        expect(await preview.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(240);
        expect(failed).toEqual([]);
        await survey.screenshot({ path: join(ARTIFACTS, 'quality-report-survey.png') });
      } finally {
        await instance.close();
      }
    },
    120_000,
  );
});
