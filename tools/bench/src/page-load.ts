import { existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { type Browser, chromium } from 'playwright-core';
import { figure, type MeasuredFigure, num } from './report';
import { quantile } from './stats';

const CHROMIUM = '/usr/bin/chromium';

interface PageLoad {
  /** Navigation start → the load event, ms. */
  loadMs: number;
  /** Navigation start → the job list drawn from the API, ms. */
  jobsMs: number;
  /** The page's own files (not the API, not tiles) as fetched, bytes, and gzipped (level 6). */
  rawBytes: number;
  gzipBytes: number;
  files: string[];
}

/**
 * (d) the page's first load: a fresh browser context each round (nothing cached), the Hub's root
 * opened with no job chosen, so the figure is the page's own bundle (HTML, script, styles), not
 * tiles or a job's products. Reports the bytes fetched raw and as gzip would send them, the time
 * to the load event (the figure) and to the job list drawn from the API (the note).
 */
export async function pageFirstLoad(url: string, rounds: number): Promise<MeasuredFigure[]> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const loads: PageLoad[] = [];
    // One untimed load first: Chromium's own start-up costs are not the page's.
    for (let r = 0; r <= rounds; r++) {
      const load = await loadOnce(browser, url);
      if (r > 0) loads.push(load);
    }
    const first = loads[0]!;
    const median = (of: (l: PageLoad) => number) => num(quantile(loads.map(of), 0.5));
    return [
      figure({
        id: 'hub.page.load',
        group: 'Hub',
        name: 'page first load, navigation → load event (headless Chromium, empty cache)',
        unit: 'ms',
        samples: loads.map((l) => l.loadMs),
        note: `job list drawn at ${median((l) => l.jobsMs)} ms (median); files: ${first.files.join(', ')}.`,
      }),
      figure({
        id: 'hub.page.bytes',
        group: 'Hub',
        name: "page first load, the page's own files fetched (raw)",
        unit: 'bytes',
        samples: loads.map((l) => l.rawBytes),
        note: `${num(first.gzipBytes)} bytes gzipped (level 6); the 3D viewer's chunk is fetched only for a job with 3D products.`,
      }),
    ];
  } finally {
    await browser.close();
  }
}

async function loadOnce(browser: Browser, url: string): Promise<PageLoad> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const bodies: { path: string; body: Buffer }[] = [];
    const pending: Promise<void>[] = [];
    page.on('response', (response) => {
      const path = new URL(response.url()).pathname;
      if (path.startsWith('/api/') || path.startsWith('/tiles/')) return;
      pending.push(
        response
          .body()
          .then((body) => void bodies.push({ path, body }))
          .catch(() => undefined),
      );
    });
    await page.goto(url, { waitUntil: 'load' });
    // The predicate's own clock reading: the instant the list was first seen, not when we asked.
    // (Strings: this package is compiled without the DOM's types.)
    const drawn = await page.waitForFunction(
      "document.querySelectorAll('#jobs li').length > 0 && performance.now()",
      undefined,
      {
        timeout: 30_000,
      },
    );
    const jobsMs = (await drawn.jsonValue()) as number;
    const loadMs = (await page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")) as number;
    const timing = { loadMs, jobsMs };
    await Promise.all(pending);
    return {
      ...timing,
      rawBytes: bodies.reduce((n, b) => n + b.body.length, 0),
      gzipBytes: bodies.reduce((n, b) => n + gzipSync(b.body, { level: 6 }).length, 0),
      files: bodies.map((b) => `${b.path} ${b.body.length} B`),
    };
  } finally {
    await context.close();
  }
}
