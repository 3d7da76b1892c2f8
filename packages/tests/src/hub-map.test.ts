import { SurveyGroundTruthSchema } from '@aerial/contracts';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { REPO_ROOT, type RunningHub, startHub } from './test-support/hub-process';
import { matchBuildings, roofsInPicture } from './test-support/roofs-in-picture';
import { CHROMIUM, launchChromium } from './test-support/chromium';

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
    chromium = await launchChromium({ webgl: true });
  }, 540_000);
  afterAll(async () => {
    await chromium?.close();
    await hub?.stop();
  });

  /** The job's page with its map drawn and its tiles loaded; every request the page made is logged. */
  async function openMap(): Promise<{ page: Page; requests: string[] }> {
    const page = await chromium.newPage({ viewport: { width: 1366, height: 900 } });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`${hub.url}#/jobs/${jobId}`);
    await page.locator('body[data-map-ready="true"]').waitFor({ timeout: 60_000 });
    await page.locator('body[data-map-idle]').waitFor({ timeout: 60_000 });
    // Wholly in the viewport, whatever the page shows above it: the mouse cannot press outside it.
    await page.locator('#map').scrollIntoViewIfNeeded();
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

  test('a distance measured on the mosaic is within 1 % of the generator’s truth, a roof’s area within 2 %', async () => {
    const { page } = await openMap();
    try {
      const truth = SurveyGroundTruthSchema.parse(
        JSON.parse(readFileSync(join(hub.dataDir, 'sample-survey', 'ground-truth.json'), 'utf8')),
      );
      const canvas = page.locator('#map canvas');
      const box = (await canvas.boundingBox())!;
      const footprints = page.getByRole('checkbox', { name: 'Footprints' });
      /** The roofs in the map as drawn now, without the footprints' outlines (they cut roofs apart). */
      const roofsShown = async (minPixels: number) => {
        await redrawn(page, () => footprints.uncheck());
        const picture = await canvas.screenshot();
        await redrawn(page, () => footprints.check());
        const { data, info } = await sharp(picture).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
        return roofsInPicture(new Uint8Array(data), info.width, info.height, minPixels);
      };
      const click = async (x: number, y: number) => {
        await page.mouse.click(box.x + x, box.y + y);
        // Apart, so that two clicks are never one double-click.
        await page.waitForTimeout(400);
      };
      const readout = page.locator('#measure-result');
      const distanceButton = page.getByRole('button', { name: 'Measure distance' });

      // Distance: between the two roofs found farthest apart, middle to middle.
      const found = matchBuildings(truth.buildings, await roofsShown(30), 4);
      expect(found.length).toBeGreaterThanOrEqual(2);
      const apart = (p: (typeof found)[number], q: (typeof found)[number]) =>
        Math.hypot(p.visible.east - q.visible.east, p.visible.north - q.visible.north);
      const [a, b] = found
        .flatMap((p, i) => found.slice(i + 1).map((q) => [p, q] as const))
        .reduce((best, pair) => (apart(...pair) > apart(...best) ? pair : best));
      const trueDistance = apart(a, b);
      expect(trueDistance).toBeGreaterThan(50);
      await distanceButton.click();
      await expect(distanceButton.getAttribute('aria-pressed')).resolves.toBe('true');
      await click(a.roof.x, a.roof.y);
      await click(b.roof.x, b.roof.y);
      await page.keyboard.press('Enter');
      await page.locator('#measure-result[data-finished="true"]').waitFor();
      const measured = Number(await readout.getAttribute('data-value'));
      const shown = /^Distance (\d+\.\d) m$/.exec((await readout.textContent()) ?? '');
      expect(shown).not.toBeNull();
      expect(Number(shown![1])).toBeCloseTo(measured, 1);
      expect(await page.locator('.measure-label.total').textContent()).toBe(`${shown![1]} m`);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.locator('#map').screenshot({ path: join(ARTIFACTS, 'map-measure.png') });
      console.log(
        `measured ${measured.toFixed(2)} m between two roofs ${trueDistance.toFixed(2)} m apart ` +
          `(${((100 * (measured - trueDistance)) / trueDistance).toFixed(2)} %)`,
      );
      expect(Math.abs(measured - trueDistance) / trueDistance).toBeLessThan(0.01);

      // Esc clears; a second Esc leaves the tool.
      await page.keyboard.press('Escape');
      await expect(page.locator('.measure-label').count()).resolves.toBe(0);
      await page.keyboard.press('Escape');
      await expect(distanceButton.getAttribute('aria-pressed')).resolves.toBe('false');

      // Area: the red roof, a known rectangle, its corners clicked close up: dragged to the middle
      // and zoomed in 16 times by double-clicks (the footprints hidden, or the clicks open them).
      const red = found.find((f) => f.building.roof === 'red') ?? found[0]!;
      await redrawn(page, () => footprints.uncheck());
      const middle = { x: box.width / 2, y: box.height / 2 };
      await redrawn(page, async () => {
        await page.mouse.move(box.x + red.roof.x, box.y + red.roof.y);
        await page.mouse.down();
        await page.mouse.move(box.x + middle.x, box.y + middle.y, { steps: 10 });
        // Still before letting go: no inertia.
        await page.waitForTimeout(300);
        await page.mouse.up();
      });
      for (let i = 0; i < 4; i++) await redrawn(page, () => page.mouse.dblclick(box.x + middle.x, box.y + middle.y));
      const { data, info } = await sharp(await canvas.screenshot())
        .ensureAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      const roof = roofsInPicture(new Uint8Array(data), info.width, info.height, 400)
        .filter((r) => r.roof === red.building.roof)
        .reduce((p, q) => (q.pixels > p.pixels ? q : p));
      // Wholly in view, sixteen times the size it was.
      expect(roof.width / red.roof.width).toBeCloseTo(16, -0.5);
      const [west, east] = [roof.x - roof.width / 2, roof.x + roof.width / 2];
      const [north, south] = [roof.y - roof.height / 2, roof.y + roof.height / 2];
      await page.getByRole('button', { name: 'Measure area' }).click();
      await click(west, north);
      await click(east, north);
      await click(east, south);
      // A double-click on the last corner adds it and finishes, as Enter does.
      await page.mouse.dblclick(box.x + west, box.y + south);
      await page.locator('#measure-result[data-finished="true"]').waitFor();
      expect(await readout.textContent()).toMatch(/^Area \d+\.\d m², perimeter \d+\.\d m$/);
      const area = Number(await readout.getAttribute('data-value'));
      const trueArea = red.visible.widthM * red.visible.heightM;
      await page.locator('#map').screenshot({ path: join(ARTIFACTS, 'map-measure-area.png') });
      console.log(
        `measured ${area.toFixed(2)} m² on a ${red.visible.widthM.toFixed(2)} × ${red.visible.heightM.toFixed(2)} m roof ` +
          `(${trueArea.toFixed(2)} m², ${((100 * (area - trueArea)) / trueArea).toFixed(2)} %)`,
      );
      // 2 %: the ground raster draws a roof's edges to its 3.6 cm pixels, and the mosaic blurs
      // them over its 5.4 cm ones, on sides of 5 to 16 m.
      expect(Math.abs(area - trueArea) / trueArea).toBeLessThan(0.02);

      await page.keyboard.press('Escape');
      await page.keyboard.press('Escape');
      // Keyboard only: Space adds the point under the centre cross, an arrow key pans the map
      // (MapLibre: 100 CSS pixels), Backspace takes the last point back.
      await distanceButton.press('Enter');
      await page.keyboard.press(' ');
      await redrawn(page, () => page.keyboard.press('ArrowRight'));
      await page.keyboard.press(' ');
      await expect(readout.textContent()).resolves.toMatch(/^Distance \d+\.\d+ m; Enter finishes$/);
      const pxPerMetre = roof.width / red.visible.widthM;
      expect(Number(await readout.getAttribute('data-value'))).toBeCloseTo(100 / pxPerMetre, 1);
      await page.keyboard.press('Backspace');
      await expect(readout.textContent()).resolves.toBe('Distance: add another point');
    } finally {
      await page.close();
    }
  }, 180_000);

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

/** Runs `action` and waits until the map has drawn what it changed (a new "idle"). */
async function redrawn(page: Page, action: () => Promise<void>): Promise<void> {
  const before = await page.locator('body').getAttribute('data-map-idle');
  await action();
  // A string: this package's compiler knows no DOM.
  await page.waitForFunction(`document.body.dataset.mapIdle !== ${JSON.stringify(before)}`);
}
