import { topics } from '@aerial/contracts';
import { generateSurvey, sharedDatasetImages } from '@aerial/sample-data';
import mqtt from 'mqtt';
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const CLI = join(__dirname, '..', '..', 'lib', 'cli', 'main.js');
const ENTRYPOINT = join(__dirname, '..', '..', 'lib', 'entrypoint.js');
const BRIGHTON = sharedDatasetImages('brighton-beach');

/** The built CLI and entrypoint, run as a user runs them: separate processes, a data folder. */
describe('aerial CLI', () => {
  let dataDir: string;
  let survey: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'aerial-cli-'));
    survey = join(dataDir, 'survey');
    await generateSurvey({ outDir: survey, widthPx: 640, heightPx: 480, areaWidthM: 50, areaHeightM: 40 });
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const aerial = async (...args: string[]) => {
    try {
      const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], {
        env: { ...process.env, AERIAL_DATA_DIR: dataDir },
      });
      return { code: 0, stdout, stderr };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    }
  };

  test('process runs the map job through the engine and prints verdicts, footprints, mosaic and where it is published', async () => {
    const { code, stdout, stderr } = await aerial(
      'process',
      '--photos',
      join(survey, 'images'),
      '--label',
      'test survey',
    );
    expect(stderr).toMatch(/Ingest: 100% done/);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Job job-\d{8}-[0-9a-f]{8}: SUCCEEDED/);
    expect(stdout).toMatch(/Images: 12 files, 12 accepted, 0 rejected/);
    // Measured from the photos: within 0.5 % of the true 13.52 cm.
    expect(stdout).toMatch(/Footprints: 12 images, GSD 13\.[45]\d cm\/px/);
    expect(stdout).toMatch(/placed from DJI metadata, refined by 12\/12 matched; height 60\.0 m/);
    expect(stdout).toMatch(/forward overlap 70 %/);
    expect(stdout).toMatch(/Orthomosaic: 12\/12 images registered/);
    expect(stdout).toMatch(/Tiles: \d+ tiles, zoom \d+–\d+/);
    expect(stdout).toMatch(/Published \(\d+ objects\): \S+\/published\/job-\S+\/run-[0-9a-f]{12}\//);
    const jobId = /Job (job-\S+):/.exec(stdout)![1]!;

    const jobs = await aerial('jobs');
    expect(jobs.stdout).toMatch(new RegExp(`${jobId}\\s+SUCCEEDED`));
    const status = await aerial('status', jobId);
    expect(status.stdout).toContain('footprints-geojson');
    const geojsonPath = /footprints-geojson\s+(\S+)/.exec(status.stdout)![1]!;
    expect(JSON.parse(readFileSync(geojsonPath, 'utf8'))).toMatchObject({
      type: 'FeatureCollection',
      features: expect.any(Array),
    });
  });

  test('with MQTT_URL set, the job is published live: events and a retained final status', async () => {
    const broker = process.env.AERIAL_TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
    const subscriber = await mqtt.connectAsync(broker);
    // Other test packages share this broker (and publish malformed payloads on purpose): keep the
    // raw messages and parse only this job's.
    const received: { topic: string; payload: Buffer }[] = [];
    subscriber.on('message', (topic, payload) => received.push({ topic, payload }));
    await subscriber.subscribeAsync([topics.allJobEvents, topics.allJobStatus], { qos: 1 });
    try {
      const run = promisify(execFile)(process.execPath, [CLI, 'process', join(survey, 'images')], {
        env: { ...process.env, AERIAL_DATA_DIR: dataDir, MQTT_URL: broker },
      });
      const { stdout } = await run;
      const jobId = /Job (job-\S+):/.exec(stdout)![1]!;
      await new Promise((r) => setTimeout(r, 200));
      const mine = received
        .filter((m) => m.topic.includes(`/${jobId}/`))
        .map((m) => ({ topic: m.topic, body: JSON.parse(m.payload.toString()) as { type?: string; state?: string } }));
      expect(mine.map((m) => m.body.type).filter(Boolean)).toEqual(
        expect.arrayContaining(['job.started', 'stage.started', 'stage.progress', 'job.published', 'job.succeeded']),
      );
      expect(mine.filter((m) => m.topic.endsWith('/status')).at(-1)!.body.state).toBe('succeeded');
    } finally {
      await subscriber.endAsync();
    }
  });

  test('the survey preset stops after the QA report and footprints', async () => {
    const { code, stdout } = await aerial('process', join(survey, 'images'), '--preset', 'survey');
    expect(code).toBe(0);
    expect(stdout).toMatch(/Footprints: 12 images/);
    expect(stdout).not.toMatch(/Orthomosaic:/);
  });

  test("sample prints the sample survey's photos folder, rendering it only when it is not there yet", async () => {
    const sampleDir = join(dataDir, 'sample-survey');
    await generateSurvey({ outDir: sampleDir, widthPx: 320, heightPx: 240, areaWidthM: 30, areaHeightM: 20 });
    const { code, stdout, stderr } = await aerial('sample');
    expect({ code, stdout, rendered: /rendering/.test(stderr) }).toEqual({
      code: 0,
      stdout: `${join(sampleDir, 'images')}\n`,
      rendered: false,
    });
  });

  test('bad arguments get a clear message and exit code 2', async () => {
    expect(await aerial('process', join(dataDir, 'missing'))).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/does not exist; give a folder of photos or a \.zip archive/),
    });
    expect(await aerial('process', join(survey, 'images'), '--preset', 'everything')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/invalid job request: preset/),
    });
    expect(await aerial('frobnicate')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/unknown command "frobnicate"/),
    });
    expect(await aerial('status', 'job-nope')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/no job job-nope/),
    });
  });

  test('a single photo is refused before any job starts, by its name or its content, with what to give instead', async () => {
    const photo = join(survey, 'images', readdirSync(join(survey, 'images')).sort()[0]!);
    const renamed = join(dataDir, 'photo-without-extension');
    copyFileSync(photo, renamed);
    for (const path of [photo, renamed]) {
      const { code, stderr } = await aerial('process', path);
      expect({ code, stderr }).toMatchObject({
        code: 2,
        stderr: expect.stringMatching(/is a single photo; give a folder or a \.zip of the flight's photos/),
      });
      expect(stderr).not.toMatch(/job job-/);
    }
  });

  /** The request the job named in `stdout` stored in the data directory. */
  function storedRequest(stdout: string): unknown {
    const jobId = /Job (job-\S+):/.exec(stdout)![1]!;
    const stored = readdirSync(dataDir, { recursive: true, encoding: 'utf8' }).find((path) =>
      path.endsWith(join('jobs', jobId, 'request.json')),
    );
    return JSON.parse(readFileSync(join(dataDir, stored!), 'utf8'));
  }

  test('--flight-height reaches the job request as options.flightHeightM', async () => {
    const { code, stdout } = await aerial(
      'process',
      join(survey, 'images'),
      '--preset',
      'survey',
      '--flight-height',
      '80',
    );
    expect(code).toBe(0);
    expect(storedRequest(stdout)).toMatchObject({ options: { flightHeightM: 80 } });
  });

  test('--projection web-mercator reaches the job request; an unknown projection is refused with the choices', async () => {
    const { code, stdout } = await aerial(
      'process',
      join(survey, 'images'),
      '--preset',
      'survey',
      '--projection',
      'web-mercator',
    );
    expect(code).toBe(0);
    expect(storedRequest(stdout)).toMatchObject({ options: { mosaicProjection: 'web-mercator' } });
    expect(await aerial('process', join(survey, 'images'), '--projection', 'mercator')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/options\.mosaicProjection: Invalid option: expected one of "utm"\|"web-mercator"/),
    });
  });

  test('a flight height that is not a positive number of metres gets a clear message and exit code 2', async () => {
    const images = join(survey, 'images');
    expect(await aerial('process', images, '--flight-height', 'abc')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--flight-height "abc" is not a number of metres; give the flight height above/),
    });
    // A value that starts with a dash must be attached with "=", as for any option.
    expect(await aerial('process', images, '--flight-height', '-5')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/use '--flight-height=-XYZ'; run "aerial help" for the options/),
    });
    for (const height of ['0', '-5', '20000']) {
      expect(await aerial('process', images, `--flight-height=${height}`)).toMatchObject({
        code: 2,
        stderr: expect.stringMatching(/invalid job request: options\.flightHeightM: /),
      });
    }
  });

  test('invalid environment configuration stops the CLI with the variable named', async () => {
    const run = promisify(execFile)(process.execPath, [CLI, 'jobs'], {
      env: { ...process.env, AERIAL_DATA_DIR: dataDir, OBJECT_STORE: 'ftp://x' },
    });
    await expect(run).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/OBJECT_STORE: must be file:<folder> or s3:\/\/<bucket>/),
    });
  });

  test('cancel stops a running job from another process', async () => {
    // Hundreds of copies keep Ingest busy for a few seconds, long enough to cancel it.
    const big = join(dataDir, 'big');
    mkdirSync(big);
    for (const file of readdirSync(join(survey, 'images'))) {
      for (let k = 0; k < 30; k++) copyFileSync(join(survey, 'images', file), join(big, `${k}-${file}`));
    }
    const child = spawn(process.execPath, [CLI, 'process', big], { env: { ...process.env, AERIAL_DATA_DIR: dataDir } });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((r) => child.once('close', r));
    while (!/job (job-\S+):/.test(stderr) || !/Ingest: /.test(stderr)) await new Promise((r) => setTimeout(r, 50));
    const jobId = /job (job-\S+):/.exec(stderr)![1]!;
    const cancelled = await aerial('cancel', jobId);
    expect(cancelled.stdout).toMatch(new RegExp(`asked job ${jobId} to stop`));
    expect(await exited).toBe(130);
    expect((await aerial('jobs')).stdout).toMatch(new RegExp(`${jobId}\\s+ABORTED`));
  });

  (BRIGHTON ? test : test.skip)(
    'Brighton Beach: all 18 photos accepted, GSD ≈ 1.7 cm/px, forward overlap ≈ 60–65 %',
    async () => {
      const { code, stdout } = await aerial('process', BRIGHTON!);
      expect(code).toBe(0);
      expect(stdout).toMatch(/Images: 18 files, 18 accepted, 0 rejected/);
      const gsd = Number(/GSD (\d+\.\d+) cm\/px/.exec(stdout)![1]);
      expect(gsd).toBeGreaterThan(1.65);
      expect(gsd).toBeLessThan(1.8);
      const forward = Number(/forward overlap (\d+) %/.exec(stdout)![1]);
      expect(forward).toBeGreaterThanOrEqual(60);
      expect(forward).toBeLessThanOrEqual(66);
    },
  );
  if (!BRIGHTON)
    console.warn('skipping the Brighton Beach CLI test: ../shared/datasets/brighton-beach/images is absent');

  test('the stage entrypoint reports a named error and exits 1 for a job with no request', async () => {
    const run = promisify(execFile)(process.execPath, [ENTRYPOINT], {
      env: { ...process.env, AERIAL_DATA_DIR: dataDir, AERIAL_JOB_ID: 'job-none', AERIAL_STAGE: 'Ingest' },
    });
    await expect(run).rejects.toMatchObject({
      code: 1,
      stdout: expect.stringMatching(
        /::aerial::\{"type":"error","error":\{"name":"Aerial\.InvalidInput","reason":"job job-none has no request/,
      ),
    });
  });
});
