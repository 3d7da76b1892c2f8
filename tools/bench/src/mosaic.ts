import { declaredOutput, DEFAULT_ENVIRONMENTS, keys, stageOutputKey } from '@aerial/contracts';
import { AERIAL_PIPELINE, stagesFor } from '@aerial/definition';
import { getJson, LocalFolderStore, putJson, runStage } from '@aerial/runtime';
import { forEachLimited, mercatorResolution, STAGE_HANDLERS, zoomForGsd } from '@aerial/pipeline';
import { generateSurvey, sharedDatasetImages } from '@aerial/sample-data';
import { execFileSync, spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { sideBySide } from './measure';
import { emitFigures, type Figure, figure, type MeasuredFigure, num, skipped } from './report';
import { median, pairedRatios } from './stats';

const MAP_STAGES = stagesFor(AERIAL_PIPELINE, 'map').filter((s) => s !== AERIAL_PIPELINE.notify);
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const GiB2 = { on: 'value', op: '<=', limit: 2048, text: '≤ 2048 MiB' } as const;

/**
 * The map products' figures, each against a baseline measured in this run, rounds alternating:
 * (a) the map job on Brighton Beach and on Caliterra (EXIF GPS only), each run as a process of its
 *     own: wall time, CPU time (user + system of the process and what it waited for) and peak RSS,
 *     against a process that decodes every photo once with sharp, two at a time (the decode floor);
 * (b) the Tiles stage against `gdal2tiles.py --xyz --processes=2` on the same mosaic (both warp it
 *     when it is in UTM);
 * (c) peak RSS of the map job on a generated survey of ~150 photos, in a process of its own.
 * `node lib/mosaic.js job|decode <photos>` are those processes; `node lib/mosaic.js tiles <cog.tif>`
 * measures (b) alone on any north-up RGBA COG in EPSG:3857 or a WGS84 UTM zone.
 */
async function main(): Promise<void> {
  if (process.argv[2] === 'job' || process.argv[2] === 'decode') return processChild(process.argv[2], process.argv[3]!);
  if (process.argv[2] === 'tiles') return tilesOnly(process.argv[3]);
  const work = mkdtempSync(join(tmpdir(), 'aerial-bench-mosaic-'));
  const figures: Figure[] = [];
  const lines: string[] = [];
  try {
    const brighton = sharedDatasetImages('brighton-beach');
    const datasets = [
      { id: 'brighton', name: 'Brighton Beach', images: brighton, rounds: env('BENCH_MAP_ROUNDS', 3) },
      {
        id: 'caliterra',
        name: 'Caliterra',
        images: sharedDatasetImages('caliterra'),
        rounds: env('BENCH_MAP_ROUNDS', 3),
      },
    ];
    for (const d of datasets) {
      if (!d.images) {
        const why = `../shared/datasets/${d.id === 'brighton' ? 'brighton-beach' : d.id}/images is absent`;
        lines.push(`(a) ${d.name}: skipped, ${why}`);
        figures.push(skipped(`map.${d.id}.wall`, `Map job, ${d.name}`, 'wall, CPU, peak RSS', why));
        continue;
      }
      figures.push(...(await mapJobFigures(d.id, d.name, d.images, d.rounds, lines)));
    }

    if (brighton) {
      // One untimed map job in this process leaves the COG and the Tiles manifest (its zoom range).
      const store = new LocalFolderStore(join(work, 'objects'));
      await mapJob(store, 'bench-map-1', brighton);
      const cog = join(work, 'objects', keys.stage('bench-map-1', 'Orthomosaic'), 'orthomosaic.tif');
      const tiles = await tilesAgainstGdal2tiles(store, 'bench-map-1', cog, work);
      lines.push(...tiles.lines);
      figures.push(...tiles.figures);
    } else {
      figures.push(skipped('tiles.gdal2tiles', 'Tiles', 'Tiles stage vs gdal2tiles', 'Brighton Beach is absent'));
    }

    const survey = join(work, 'survey150');
    // About 150 frames of 1600×1200 at 60 m, 70 % / 60 % overlap (the generator lays out the lines).
    await generateSurvey({ outDir: survey, areaWidthM: 290, areaHeightM: 250, gpsNoiseM: 2, yawNoiseDeg: 3 });
    const photos = readdirSync(join(survey, 'images')).length;
    const rss: number[] = [];
    const seconds: number[] = [];
    for (let r = 0; r < env('BENCH_RSS_ROUNDS', 2); r++) {
      const run = measureChild('job', join(survey, 'images'));
      rss.push(run.peakMiB);
      seconds.push(run.wallS);
    }
    const f = figure({
      id: 'map.survey150.rss',
      group: 'Map job, generated survey',
      name: `peak RSS, ${photos} photos of 1600×1200`,
      unit: 'MiB',
      samples: rss,
      target: GiB2,
      note: `wall ${seconds.map((s) => s.toFixed(1)).join(', ')} s`,
    });
    figures.push(f);
    lines.push(
      `(c) map job on a generated survey of ${photos} photos: peak RSS ${num(f.measured.median)} MiB (${rss.map(num).join(', ')}), target ≤ 2048 MiB`,
    );
    process.stdout.write(`${lines.join('\n')}\n`);
    emitFigures(figures);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** (a) for one photo set: job and decode floor as processes of their own, alternating. */
async function mapJobFigures(id: string, name: string, images: string, rounds: number, lines: string[]) {
  const count = readdirSync(images).length;
  const job: ChildRun[] = [];
  const floor: ChildRun[] = [];
  measureChild('decode', images); // warm-up: the photos into the page cache
  for (let r = 0; r < rounds; r++) {
    floor.push(measureChild('decode', images));
    job.push(measureChild('job', images));
  }
  const group = `Map job, ${name} (${count} photos)`;
  const base = 'decode floor';
  const out = [
    figure({
      id: `map.${id}.wall`,
      group,
      name: 'wall time',
      unit: 's',
      samples: job.map((j) => j.wallS),
      baseline: { name: base, samples: floor.map((j) => j.wallS) },
      ...(id === 'caliterra'
        ? { target: { on: 'value', op: '<=', limit: 60, text: '≤ 60 s (ratio: diagnostic)' } }
        : {}),
      note: `by stage (last round): ${job.at(-1)!.stages}`,
    }),
    figure({
      id: `map.${id}.cpu`,
      group,
      name: 'CPU time (user + system)',
      unit: 's',
      samples: job.map((j) => j.cpuS),
      baseline: { name: base, samples: floor.map((j) => j.cpuS) },
    }),
    figure({
      id: `map.${id}.rss`,
      group,
      name: 'peak RSS',
      unit: 'MiB',
      samples: job.map((j) => j.peakMiB),
      baseline: { name: base, samples: floor.map((j) => j.peakMiB) },
      target: GiB2,
    }),
  ];
  const [wall, cpu, rss] = out as [MeasuredFigure, MeasuredFigure, MeasuredFigure];
  lines.push(
    `(a) ${group}, ${rounds} rounds, alternating with the decode floor:`,
    `    wall ${num(wall.measured.median)} s (${num(wall.measured.min)}–${num(wall.measured.max)}) vs floor ${num(wall.baseline!.spread.median)} s = ${num(wall.ratio!.median)}× (diagnostic)`,
    `    CPU ${num(cpu.measured.median)} s vs floor ${num(cpu.baseline!.spread.median)} s = ${num(cpu.ratio!.median)}×`,
    `    peak RSS ${num(rss.measured.median)} MiB (target ≤ 2048 MiB); by stage: ${job.at(-1)!.stages}`,
  );
  return out;
}

interface ChildRun {
  readonly wallS: number;
  /** User + system seconds of the child and of every process it waited for. */
  readonly cpuS: number;
  readonly peakMiB: number;
  readonly stages: string;
}

/** User + system seconds of this process's waited-for children so far (Linux /proc). */
function childrenCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 16 and 17 of proc(5), cutime and cstime, in clock ticks.
  return (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS;
}
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

function measureChild(mode: 'job' | 'decode', photos: string): ChildRun {
  const cpuBefore = childrenCpuSeconds();
  const started = performance.now();
  const child = spawnSync(process.execPath, [__filename, mode, photos], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const wallS = (performance.now() - started) / 1000;
  if (child.status !== 0) throw new Error(`${mode} ${photos} failed: ${child.stderr.slice(-2000)}`);
  const result = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { peakMiB: number; stages: string };
  return { wallS, cpuS: childrenCpuSeconds() - cpuBefore, ...result };
}

async function processChild(mode: 'job' | 'decode', photos: string): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'aerial-bench-child-'));
  try {
    if (mode === 'job') await mapJob(new LocalFolderStore(join(work, 'objects')), 'bench-job', photos);
    else await decodeAll(readdirSync(photos).map((f) => join(photos, f)));
    const stages = [...lastStageSeconds].map(([s, t]) => `${s} ${t.toFixed(1)} s`).join(', ');
    const peakMiB = process.resourceUsage().maxRSS / 1024;
    process.stdout.write(`${JSON.stringify({ peakMiB, stages })}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * (b): the Tiles stage against gdal2tiles on the COG of `mapJob`, whose Orthomosaic and Tiles
 * manifests are in `store` (Tiles has run once: its zoom range is gdal2tiles' `-z`).
 */
async function tilesAgainstGdal2tiles(
  store: LocalFolderStore,
  mapJob: string,
  cog: string,
  work: string,
): Promise<{ lines: string[]; figures: Figure[] }> {
  const gdal2tiles = ['/usr/bin/gdal2tiles.py', '/usr/bin/gdal2tiles'].find((p) => existsSync(p));
  if (!gdal2tiles) {
    const why = 'gdal2tiles.py is absent (tools/services/setup.sh installs gdal-bin)';
    return {
      lines: [`(b) skipped: ${why}`],
      figures: [skipped('tiles.gdal2tiles', 'Tiles', 'Tiles stage vs gdal2tiles', why)],
    };
  }
  const zooms = zoomRange(store, mapJob);
  const mosaic = (await getJson(store, keys.manifest(mapJob, 'Orthomosaic'))) as { summary: { epsg?: number } };
  const crs = `EPSG:${mosaic.summary.epsg ?? 3857}`;
  let k = 0;
  let g = 0;
  // CPU seconds of each run (the warm-up's first): the stage's process, gdal2tiles' processes.
  const stageCpu: number[] = [];
  const gdalCpu: number[] = [];
  const tiles = await sideBySide(
    Number(process.env.BENCH_TILE_ROUNDS ?? 4),
    {
      label: `Tiles stage (libvips, WebP${crs === 'EPSG:3857' ? '' : `, warped from ${crs}`})`,
      // Like gdal2tiles' fresh output folder: each round tiles the same mosaic for a job of its
      // own (its Orthomosaic manifest points at the one COG), so nothing is deleted around the clock.
      prepare: async () => {
        for (const key of [keys.request, (job: string) => keys.manifest(job, 'Orthomosaic')])
          await store.copy(key(mapJob), key(`bench-tiles-${k + 1}`));
      },
      run: async () => {
        const before = process.cpuUsage();
        await runStage(
          { jobId: `bench-tiles-${++k}`, stage: 'Tiles' },
          { store, environment: DEFAULT_ENVIRONMENTS.dev, handlers: STAGE_HANDLERS },
        );
        const used = process.cpuUsage(before);
        stageCpu.push((used.user + used.system) / 1e6);
      },
    },
    {
      label: `gdal2tiles.py --xyz --processes=2 (WebP${crs === 'EPSG:3857' ? '' : `, warping ${crs}`})`,
      run: async () => {
        const out = join(work, `gdal2tiles-${++g}`);
        const before = childrenCpuSeconds();
        // Debian's python3 has the GDAL bindings; another python earlier on PATH may not.
        execFileSync(
          '/usr/bin/python3',
          [gdal2tiles, '--xyz', '--processes=2', '--tiledriver=WEBP', '-z', zooms, cog, out],
          {
            stdio: 'ignore',
          },
        );
        gdalCpu.push(childrenCpuSeconds() - before);
      },
    },
    // One untimed pair first: gdal2tiles' Python imports and the COG in the page cache.
    { warmup: 1 },
  );
  const lines = [
    `(b) tiles of the same ${cog.split('/').slice(-1)[0]} (${crs}, zoom ${zooms}), ${tiles.candidate.runs.length} rounds each, medians`,
    `    ${tiles.floor.label}: ${tiles.floor.medianSeconds.toFixed(2)} s`,
    `    ${tiles.candidate.label}: ${tiles.candidate.medianSeconds.toFixed(2)} s`,
    `    speed-up over gdal2tiles: ${(1 / tiles.ratio).toFixed(2)}× (target ≥ 5×)`,
  ];
  const encode = await encodeFloor(store, `bench-tiles-${k}`);
  lines.push(
    `    of which the floor, WebP encoding of the same ${encode.tiles} tiles alone (4 at a time): ${encode.seconds.toFixed(2)} s` +
      ` → at most ${(tiles.floor.medianSeconds / encode.seconds).toFixed(2)}× over gdal2tiles with these tiles`,
  );
  const f = figure({
    id: 'tiles.gdal2tiles',
    group: 'Tiles',
    name: `Tiles stage vs gdal2tiles.py --xyz --processes=2 (${crs}, zoom ${zooms})`,
    unit: 's',
    samples: tiles.candidate.runs,
    baseline: { name: 'gdal2tiles', samples: tiles.floor.runs },
    target: { on: 'ratio', op: '<=', limit: 0.2, text: '≤ 0.2 (≥ 5× faster)' },
    note:
      `speed-up over gdal2tiles ${num(1 / median(pairedRatios(tiles.candidate.runs, tiles.floor.runs)))}× (median of rounds); ` +
      `WebP encoding of the same ${encode.tiles} tiles alone takes ${num(encode.seconds)} s, ` +
      `so no tiler writing them beats ${num(tiles.floor.medianSeconds / encode.seconds)}× here.`,
  });
  const cpu = figure({
    id: 'tiles.gdal2tiles.cpu',
    group: 'Tiles',
    name: 'CPU time (user + system), Tiles stage vs gdal2tiles',
    unit: 's',
    samples: stageCpu.slice(1),
    baseline: { name: 'gdal2tiles', samples: gdalCpu.slice(1) },
    note: 'CPU time does not depend on how busy the other cores are: the wall-time ratio does, as gdal2tiles runs ~10× longer.',
  });
  lines.push(
    `    CPU time: stage ${num(cpu.measured.median)} s vs gdal2tiles ${num(cpu.baseline!.spread.median)} s = ${num(cpu.ratio!.median)}`,
  );
  return { lines, figures: [f, cpu] };
}

/**
 * (b) alone on a COG of one's own (e.g. a mosaic warped to UTM with gdalwarp and written as a COG
 * with internal overviews): its georeference and overviews from `gdalinfo -json`, the zoom from
 * its pixel size as the Orthomosaic stage picks it, then one untimed Tiles run for the zoom range.
 */
async function tilesOnly(cog: string | undefined): Promise<void> {
  if (!cog || !existsSync(cog)) throw new Error('usage: node lib/mosaic.js tiles <cog.tif>');
  const work = mkdtempSync(join(tmpdir(), 'aerial-bench-tiles-'));
  try {
    const info = JSON.parse(execFileSync('gdalinfo', ['-json', cog], { encoding: 'utf8', maxBuffer: 1 << 26 })) as {
      size: [number, number];
      geoTransform: number[];
      stac?: { 'proj:epsg'?: number };
      bands: { overviews?: unknown[] }[];
      wgs84Extent: { coordinates: [number, number][][] };
    };
    const epsg = info.stac?.['proj:epsg'];
    const [originX, pixelSizeM, , originY] = info.geoTransform as [number, number, number, number];
    if (!epsg) throw new Error(`${cog} has no EPSG code that gdalinfo reports`);
    const ring = info.wgs84Extent.coordinates[0]!;
    const lons = ring.map((p) => p[0]);
    const lats = ring.map((p) => p[1]);
    const bbox = [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)];
    const zoom =
      epsg === 3857
        ? Math.round(Math.log2(mercatorResolution(0) / pixelSizeM))
        : zoomForGsd(pixelSizeM, (bbox[1]! + bbox[3]!) / 2);
    const store = new LocalFolderStore(join(work, 'objects'));
    const job = 'bench-map-1';
    const key = stageOutputKey(job, 'Orthomosaic', 'orthomosaic');
    await putJson(store, keys.request(job), {
      source: { kind: 'folder', path: cog },
      preset: 'map',
      options: {},
      priority: 'normal',
      notify: [],
    });
    await putJson(store, keys.manifest(job, 'Orthomosaic'), {
      jobId: job,
      stage: 'Orthomosaic',
      startedAt: new Date().toISOString(),
      finishedAt: new Date().toISOString(),
      outputs: [declaredOutput('Orthomosaic', 'orthomosaic', { key, bytes: statSync(cog).size })],
      // The georeference Tiles reads, beside the report figures the Orthomosaic's summary schema asks for.
      summary: {
        images: 0,
        registered: 0,
        placedFrom: 'registration',
        pairs: 0,
        candidatePairs: 0,
        rmsResidualPx: 0,
        yawFlagged: [],
        crs: `EPSG:${epsg}`,
        gsdCm: pixelSizeM * 100,
        bytes: statSync(cog).size,
        decodes: 0,
        seconds: { register: 0, render: 0, write: 0 },
        epsg,
        origin: [originX, originY],
        pixelSizeM,
        widthPx: info.size[0],
        heightPx: info.size[1],
        overviews: info.bands[0]?.overviews?.length ?? 0,
        bbox,
        zoom,
      },
    });
    await store.put(key, createReadStream(cog), { contentType: 'image/tiff' });
    const stored = join(work, 'objects', key);
    await runStage(
      { jobId: job, stage: 'Tiles' },
      { store, environment: DEFAULT_ENVIRONMENTS.dev, handlers: STAGE_HANDLERS },
    );
    const { lines, figures } = await tilesAgainstGdal2tiles(store, job, stored, work);
    process.stdout.write(`${lines.join('\n')}\n`);
    emitFigures(figures);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Seconds to encode the Tiles stage's own tiles again, from pixels held in memory, with the stage's
 * WebP settings and concurrency: what no tiler writing these tiles can go below on this machine.
 */
async function encodeFloor(store: LocalFolderStore, jobId: string): Promise<{ tiles: number; seconds: number }> {
  const pixels: Buffer[] = [];
  for await (const tile of store.list(`${keys.stage(jobId, 'Tiles')}/tiles/`)) {
    pixels.push(
      await sharp(await store.get(tile.key))
        .ensureAlpha()
        .raw()
        .toBuffer(),
    );
  }
  const started = performance.now();
  await forEachLimited(pixels.length, 4, async (k) => {
    await sharp(pixels[k]!, { raw: { width: 256, height: 256, channels: 4 } })
      .webp({ quality: 75, alphaQuality: 90, effort: 0 })
      .toBuffer();
  });
  return { tiles: pixels.length, seconds: (performance.now() - started) / 1000 };
}

/** The zoom range the Tiles stage cut for `jobId`, as gdal2tiles' `-z` wants it. */
function zoomRange(store: LocalFolderStore, jobId: string): string {
  const manifest = JSON.parse(
    readFileSync(join(store.location.slice('file:'.length), keys.manifest(jobId, 'Tiles')), 'utf8'),
  ) as { summary: { minZoom: number; maxZoom: number } };
  return `${manifest.summary.minZoom}-${manifest.summary.maxZoom}`;
}

/** Seconds per stage of the last map job, for the breakdown line. */
const lastStageSeconds = new Map<string, number>();

async function mapJob(store: LocalFolderStore, jobId: string, photos: string): Promise<void> {
  for (const [k, stage] of MAP_STAGES.entries()) {
    const started = performance.now();
    await runStage(
      { jobId, stage, ...(k === 0 ? { request: { source: { kind: 'folder', path: photos }, preset: 'map' } } : {}) },
      { store, environment: DEFAULT_ENVIRONMENTS.dev, handlers: STAGE_HANDLERS },
    );
    lastStageSeconds.set(stage, (performance.now() - started) / 1000);
  }
}

async function decodeAll(files: string[]): Promise<void> {
  await forEachLimited(files.length, 2, async (k) => {
    await sharp(files[k]!).raw().toBuffer();
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
