import { SurveyGroundTruthSchema } from '@aerial/contracts';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { REPO_ROOT, type RunningHub, startHub } from './test-support/hub-process';
import { matchBuildings, roofsInPicture } from './test-support/roofs-in-picture';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(REPO_ROOT, 'packages', 'tests', '.artifacts');
const browser = existsSync(CHROMIUM) ? describe : describe.skip;
if (!existsSync(CHROMIUM))
  console.warn(`skipping the map tests: ${CHROMIUM} is absent (tools/services/setup.sh installs it)`);

/**
 * The Hub's map as users see it (`pnpm start`'s sample survey on the embedded services): offline
 * by default, footprints from the vector tiles with their photos' QA facts, distances and areas
 * measured on the mosaic against the generator's truth, and a configured base layer.
 */
browser('the map in Chromium', () => {
  let hub: RunningHub;
  let chromium: Browser;
  let jobId: string;

  beforeAll(async () => {
    hub = await startHub('embedded');
    const deadline = Date.now() + 240_000;
    for (;;) {
      const job = (
        (await (await fetch(new URL('/api/jobs', hub.url))).json()) as { jobs: { jobId: string; status: string }[] }
      ).jobs[0];
      if (job?.status === 'succeeded') {
        jobId = job.jobId;
        break;
      }
      if (job?.status === 'failed' || Date.now() > deadline)
        throw new Error(`the sample job did not succeed:\n${hub.log.join('\n')}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    const { chromium: launcher } = await import('playwright-core');
    chromium = await launcher.launch({
      executablePath: CHROMIUM,
      // The pixel checks need WebGL to draw.
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--use-angle=swiftshader',
        '--enable-unsafe-swiftshader',
      ],
    });
  }, 540_000);
  afterAll(async () => {
    await chromium?.close();
    await hub?.stop();
  });

  /** The job's page with its map drawn and its tiles loaded; every request the page made is logged. */
  async function openMap(deviceScaleFactor = 1): Promise<{ page: Page; requests: string[] }> {
    const page = await chromium.newPage({ viewport: { width: 1366, height: 900 }, deviceScaleFactor });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`${hub.url}#/jobs/${jobId}`);
    await page.locator('body[data-map-ready="true"]').waitFor({ timeout: 60_000 });
    await page.locator('body[data-map-idle]').waitFor({ timeout: 60_000 });
    return { page, requests };
  }

  test('by default nothing leaves the machine; footprints come from the vector tiles and show their photos’ QA facts', async () => {
    const { page, requests } = await openMap();
    try {
      const elsewhere = requests.filter((u) => !u.startsWith(hub.url) && !/^(data|blob):/.test(u));
      expect(elsewhere).toEqual([]);
      expect(await (await fetch(new URL('/api/map', hub.url))).json()).toEqual({ baseLayer: null });
      expect(requests.filter((u) => u.includes(`/tiles/${jobId}/footprints/`)).length).toBeGreaterThan(0);
      expect(requests.filter((u) => u.endsWith(`/api/jobs/${jobId}/footprints`))).toEqual([]);

      const map = (await page.locator('#map canvas').boundingBox())!;
      await page.mouse.click(map.x + map.width / 2, map.y + map.height / 2);
      const popup = page.locator('.footprint-popup');
      await popup.waitFor();
      const truth = SurveyGroundTruthSchema.parse(
        JSON.parse(readFileSync(join(hub.dataDir, 'sample-survey', 'ground-truth.json'), 'utf8')),
      );
      const names = await popup.locator('dt').allTextContents();
      expect(names.length).toBeGreaterThan(1);
      for (const name of names) expect(truth.photos.map((p) => p.name)).toContain(name);
      const verdicts = await popup.locator('dd').allTextContents();
      expect(verdicts).toEqual(names.map(() => expect.stringMatching(/^accepted · GSD \d+\.\d\d cm\/px/)));
      expect(await popup.locator('strong').textContent()).toBe(`${names.length} photos cover this point`);
    } finally {
      await page.close();
    }
  }, 120_000);

  test('a distance measured on the mosaic is within 1 % of the generator’s truth, an area within 2 %', async () => {
    // Twice the pixels: roofs are found to half a pixel, so a finer picture places them better.
    const dpr = 2;
    const { page } = await openMap(dpr);
    try {
      const truth = SurveyGroundTruthSchema.parse(
        JSON.parse(readFileSync(join(hub.dataDir, 'sample-survey', 'ground-truth.json'), 'utf8')),
      );
      // Where the buildings are in the rendered mosaic: their roofs, found in the map's pixels.
      const canvas = page.locator('#map canvas');
      const box = (await canvas.boundingBox())!;
      const { data, info } = await sharp(await canvas.screenshot())
        .ensureAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      const roofs = roofsInPicture(new Uint8Array(data), info.width, info.height, 60 * dpr ** 2);
      const found = matchBuildings(truth.buildings, roofs, 4 * dpr);
      // Three or more placed by one north-up similarity: the roofs are these buildings.
      expect(found.length).toBeGreaterThanOrEqual(3);
      const click = async ({ roof }: (typeof found)[number]) => {
        await page.mouse.click(box.x + roof.x / dpr, box.y + roof.y / dpr);
        // Apart, so that two clicks are never one double-click.
        await page.waitForTimeout(400);
      };
      const readout = page.locator('#measure-result');

      // Distance: the two buildings farthest apart, centre to centre.
      const [a, b] = found
        .flatMap((p, i) => found.slice(i + 1).map((q) => [p, q] as const))
        .reduce((best, pair) => (metres(pair) > metres(best) ? pair : best));
      const trueDistance = metres([a, b]);
      await page.getByRole('button', { name: 'Measure distance' }).click();
      await expect(page.getByRole('button', { name: 'Measure distance' }).getAttribute('aria-pressed')).resolves.toBe(
        'true',
      );
      await click(a);
      await click(b);
      await page.keyboard.press('Enter');
      await page.locator('#measure-result[data-finished="true"]').waitFor();
      const measured = Number(await readout.getAttribute('data-value'));
      const shown = /^Distance (\d+\.\d) m$/.exec((await readout.textContent()) ?? '');
      expect(shown).not.toBeNull();
      expect(Number(shown![1])).toBeCloseTo(measured, 1);
      expect(Math.abs(measured - trueDistance) / trueDistance).toBeLessThan(0.01);
      expect(await page.locator('.measure-label.total').textContent()).toBe(`${shown![1]} m`);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.locator('#map').screenshot({ path: join(ARTIFACTS, 'map-measure.png') });
      console.log(
        `measured ${measured.toFixed(2)} m between two roofs ${trueDistance.toFixed(2)} m apart ` +
          `(${((100 * (measured - trueDistance)) / trueDistance).toFixed(2)} %)`,
      );

      // Esc clears; a second Esc leaves the tool.
      await page.keyboard.press('Escape');
      await expect(page.locator('.measure-label').count()).resolves.toBe(0);
      await page.keyboard.press('Escape');
      await expect(page.getByRole('button', { name: 'Measure distance' }).getAttribute('aria-pressed')).resolves.toBe(
        'false',
      );

      // Area: the polygon through the buildings found, around their middle (a simple polygon).
      const mid = { e: mean(found.map((f) => f.building.east)), n: mean(found.map((f) => f.building.north)) };
      const ring = [...found].sort(
        (p, q) =>
          Math.atan2(p.building.north - mid.n, p.building.east - mid.e) -
          Math.atan2(q.building.north - mid.n, q.building.east - mid.e),
      );
      const trueArea =
        Math.abs(
          ring.reduce((sum, p, i) => {
            const q = ring[(i + 1) % ring.length]!;
            return sum + p.building.east * q.building.north - q.building.east * p.building.north;
          }, 0),
        ) / 2;
      await page.getByRole('button', { name: 'Measure area' }).click();
      for (const corner of ring) await click(corner);
      // Double-clicking the last corner again finishes, as Enter does.
      const last = ring.at(-1)!.roof;
      await page.mouse.dblclick(box.x + last.x / dpr, box.y + last.y / dpr);
      await page.locator('#measure-result[data-finished="true"]').waitFor();
      expect(await page.locator('#measure-result').textContent()).toMatch(
        /^Area \d+(\.\d+)? (m²|ha), perimeter \d+\.\d m$/,
      );
      const area = Number(await readout.getAttribute('data-value'));
      // 2 %: an area doubles the vertices' relative error, and these corners are roof middles
      // found to a quarter of a CSS pixel (~0.1 m) on a polygon a few dozen metres across.
      expect(Math.abs(area - trueArea) / trueArea).toBeLessThan(0.02);
      await page.locator('#map').screenshot({ path: join(ARTIFACTS, 'map-measure-area.png') });
      console.log(`measured ${area.toFixed(1)} m² for a polygon of ${trueArea.toFixed(1)} m² (${ring.length} corners)`);

      // Keyboard only: Space adds the point under the centre cross, an arrow key pans the map
      // (MapLibre: 100 CSS pixels), Backspace takes the last point back.
      await page.keyboard.press('Escape');
      await page.keyboard.press('Escape');
      await page.getByRole('button', { name: 'Measure distance' }).press('Enter');
      await page.keyboard.press(' ');
      await page.keyboard.press('ArrowRight');
      await page.locator('body').evaluate(() => new Promise((r) => setTimeout(r, 800)));
      await page.keyboard.press(' ');
      await expect(readout.textContent()).resolves.toMatch(/^Distance \d+\.\d m; Enter finishes$/);
      // The roofs' own scale: pixels per metre between the two farthest apart.
      const pxPerMetre = Math.hypot(a.roof.x - b.roof.x, a.roof.y - b.roof.y) / dpr / trueDistance;
      expect(Number(await readout.getAttribute('data-value'))).toBeCloseTo(100 / pxPerMetre, -0.5);
      await page.keyboard.press('Backspace');
      await expect(readout.textContent()).resolves.toBe('Distance: add another point');
    } finally {
      await page.close();
    }
  }, 120_000);

  test('a configured base layer is drawn under the mosaic, from its own server, with its attribution', async () => {
    const asked: string[] = [];
    const magenta = await sharp({ create: { width: 256, height: 256, channels: 3, background: '#c800c8' } })
      .png()
      .toBuffer();
    const tiles: Server = createServer((request, response) => {
      asked.push(request.url ?? '');
      response.writeHead(200, { 'content-type': 'image/png', 'access-control-allow-origin': '*' });
      response.end(magenta);
    });
    await new Promise<void>((r) => tiles.listen(0, '127.0.0.1', r));
    try {
      const port = (tiles.address() as AddressInfo).port;
      await hub.restart({
        HUB_BASE_LAYER_URL: `http://127.0.0.1:${port}/{z}/{x}/{y}.png`,
        HUB_BASE_LAYER_ATTRIBUTION: 'Test base map',
      });
      const { page } = await openMap();
      try {
        expect(asked.length).toBeGreaterThan(0);
        for (const url of asked) expect(url).toMatch(/^\/\d+\/\d+\/\d+\.png$/);
        await expect(page.locator('.maplibregl-ctrl-attrib').textContent()).resolves.toContain('Test base map');
        await page.locator('#map').screenshot({ path: join(ARTIFACTS, 'map-base-layer.png') });
        // Beyond the mosaic (the map's left edge, halfway down), the base layer shows instead of
        // the plain background.
        const { data, info } = await sharp(await page.locator('#map canvas').screenshot())
          .raw()
          .toBuffer({ resolveWithObject: true });
        const at = (Math.floor(info.height / 2) * info.width + 5) * info.channels;
        expect([...data.subarray(at, at + 3)].map((v) => Math.round(v / 8))).toEqual(
          [200, 0, 200].map((v) => Math.round(v / 8)),
        );
      } finally {
        await page.close();
      }
    } finally {
      await new Promise((r) => tiles.close(r));
    }
  }, 240_000);
});

/** Metres between two buildings' centres, in the generator's local east/north frame. */
function metres([p, q]: readonly [
  { building: { east: number; north: number } },
  { building: { east: number; north: number } },
]): number {
  return Math.hypot(p.building.east - q.building.east, p.building.north - q.building.north);
}

function mean(values: number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}
