import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { promisify } from 'node:util';
import { type Browser, chromium } from 'playwright-core';

const root = join(__dirname, '..');
const dist = join(root, 'dist');
const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.jpg': 'image/jpeg',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/** The built site served as a static host serves it (GitHub Pages: `dir/` is `dir/index.html`). */
function serve(dir: string): Promise<Server> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(
      /^(\.\.[/\\])+/,
      '',
    );
    let file = join(dir, path);
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) file = join(dir, '404.html');
    res.writeHead(file.endsWith('404.html') && !path.endsWith('404.html') ? 404 : 200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const built = existsSync(join(dist, 'index.html'));
const describeBuilt = built ? describe : describe.skip;
if (!built) test.skip('the built site (skipped: docs/dist is not built; run "pnpm nx run docs:build")', () => {});

describeBuilt('the built site in Chromium', () => {
  let server: Server;
  let browser: Browser;
  let url: string;
  beforeAll(async () => {
    server = await serve(dist);
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  test('the home page shows what the platform does, the mosaic, the commands and the benchmarks (screenshot)', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const offsite: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(url) && !r.url().startsWith('data:')) offsite.push(r.url());
    });
    await page.goto(`${url}/`, { waitUntil: 'networkidle' });
    await expect(page.title()).resolves.toBe('Aerial Platform');
    await expect(page.locator('.VPHero .name').innerText()).resolves.toContain('Aerial Platform');
    // The mosaic in the hero, credited in its caption.
    const mosaic = page.locator('.VPHero .hero-figure img');
    await page.waitForFunction(`document.querySelector('.VPHero .hero-figure img')?.complete`);
    // The tests compile without the DOM's types: the page's objects are typed by what is read.
    expect(await mosaic.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(
      500,
    );
    expect(await mosaic.getAttribute('src')).toBe('/images/brighton-beach-mosaic.jpg');
    await expect(page.locator('.VPHero .hero-figure figcaption').innerText()).resolves.toContain('BSD 2-Clause');
    const text = await page.locator('.VPContent').innerText();
    expect(text).toContain('pnpm install --frozen-lockfile && pnpm start');
    expect(text).toContain('pnpm install --frozen-lockfile && pnpm test:all');
    const report = JSON.parse(readFileSync(join(root, 'bench-report.json'), 'utf8')) as { machine: { commit: string } };
    expect(text).toContain(report.machine.commit);
    expect(await page.locator('table tr').count()).toBeGreaterThanOrEqual(6);
    // The 3D view's slot shows only when its picture is there.
    const has3d = existsSync(join(root, 'content', 'public', 'images', 'view-3d.png'));
    expect(await page.locator('img[src$="view-3d.png"]').count()).toBe(has3d ? 1 : 0);
    expect(offsite).toEqual([]);
    mkdirSync(join(root, '.artifacts'), { recursive: true });
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(root, '.artifacts', 'home.png'), fullPage: true });
    await page.close();
  });

  test('the local search finds a named error on its reference page (the index is built into the site)', async () => {
    const page = await browser.newPage();
    await page.goto(`${url}/architecture.html`, { waitUntil: 'networkidle' });
    await page.locator('.VPNavBarSearch button').click();
    await page.locator('#localsearch-input').fill('ToolMissing');
    const first = page.locator('#localsearch-list li').first();
    await first.waitFor();
    expect(await page.locator('#localsearch-list').innerText()).toMatch(/Aerial\.ToolMissing/);
    await page.close();
  });

  test('every page of the sidebar opens, with its title', async () => {
    const page = await browser.newPage();
    await page.goto(`${url}/developing/`, { waitUntil: 'networkidle' });
    const links = await page
      .locator('.VPSidebar a.VPLink')
      .evaluateAll((as) =>
        as
          .map((a) => a as unknown as { href: string; innerText: string })
          .map((a) => ({ href: a.href, text: a.innerText.trim() })),
      );
    expect(links.length).toBeGreaterThan(20);
    for (const { href, text } of links) {
      const response = await page.request.get(href);
      const title = /<title>([^<]*)<\/title>/.exec(await response.text())?.[1] ?? '';
      const decoded = title
        .replace(/&#39;|&#x27;/g, "'")
        .replace(/&quot;/g, '"')
        .replace(/&amp;/g, '&');
      expect({ href, status: response.status(), title: decoded }).toEqual({
        href,
        status: 200,
        title: `${text} | Aerial Platform`,
      });
    }
    await page.close();
  });
});

describe('VitePress dead link check', () => {
  test('fails the build on a planted broken link between pages', async () => {
    // Built inside docs/ so VitePress and Vue resolve as for the real site (in its git-ignored cache).
    mkdirSync(join(root, '.vitepress', 'cache'), { recursive: true });
    const site = mkdtempSync(join(root, '.vitepress', 'cache', 'deadlink-'));
    try {
      writeFileSync(join(site, 'index.md'), '# Home\n\n[a page that is not there](./gone.md)\n');
      const vitepress = join(root, 'node_modules', '.bin', 'vitepress');
      const run = promisify(execFile)(vitepress, ['build', site], { cwd: root, timeout: 90_000 });
      await expect(run).rejects.toMatchObject({ stderr: expect.stringMatching(/dead link/i) });
    } finally {
      rmSync(site, { recursive: true, force: true });
    }
  });
});
