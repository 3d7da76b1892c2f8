import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO_ROOT, renderSample, spawnHub } from './test-support/hub-process';

/**
 * DEPLOYABILITY (issue 14, about a minute): the images run `pnpm deploy --prod` output, which holds
 * only each package's `files` and production dependencies. GIVEN the built Hub and workers, WHEN
 * both are deployed into empty folders, THEN the Hub started from its folder migrates the embedded
 * database, serves its page and bundle, and runs the sample map job on the local engine started
 * from the workers' folder (every stage module loaded from there, none from the workspace).
 */
const BUILT = [
  'apps/hub/lib/server/main.js',
  'apps/hub/web/dist/index.html',
  'apps/workers/lib/cli/main.js',
  'apps/workers/lib/entrypoint.js',
];

describe('deploy output: each app runs from its pnpm deploy --prod folder', () => {
  let root: string;
  let hubDir: string;
  let workersDir: string;

  beforeAll(() => {
    const missing = BUILT.filter((f) => !existsSync(join(REPO_ROOT, f)));
    if (missing.length) throw new Error(`not built: ${missing.join(', ')} (run "pnpm build" first)`);
    root = mkdtempSync(join(tmpdir(), 'aerial-deploy-'));
    hubDir = deploy('@aerial/hub', join(root, 'hub'));
    workersDir = deploy('@aerial/workers', join(root, 'workers'));
  }, 300_000);
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  test('the Hub folder holds what the Hub reads at run time, and no workspace link', () => {
    expect(existsSync(join(hubDir, 'lib', 'server', 'main.js'))).toBe(true);
    expect(readdirSync(join(hubDir, 'src', 'db', 'migrations')).filter((f) => f.endsWith('.sql'))).toEqual(
      readdirSync(join(REPO_ROOT, 'apps', 'hub', 'src', 'db', 'migrations')).filter((f) => f.endsWith('.sql')),
    );
    expect(readFileSync(join(hubDir, 'web', 'dist', 'index.html'), 'utf8')).toContain('<title>Aerial Hub</title>');
    // Workspace dependencies are copied in, not linked back into the repository.
    expect(existsSync(join(hubDir, 'node_modules', '@aerial', 'runtime', 'lib', 'index.js'))).toBe(true);
    expect(existsSync(join(hubDir, 'node_modules', 'vite'))).toBe(false);
    // The light packages only: no stage processing, no sample renderer (and no sharp with them).
    for (const heavy of [join('@aerial', 'pipeline'), join('@aerial', 'sample-data'), 'sharp'])
      expect({ heavy, present: existsSync(join(hubDir, 'node_modules', heavy)) }).toEqual({ heavy, present: false });
  });

  test('every Dockerfile installs the workspace pnpm, deploys its package and starts a file the deploy holds', () => {
    const pnpm = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { packageManager: string })
      .packageManager;
    const images = readdirSync(join(REPO_ROOT, 'apps', 'workers', 'images')).map((i) =>
      join('apps', 'workers', 'images', i, 'Dockerfile'),
    );
    for (const file of [join('apps', 'hub', 'Dockerfile'), ...images]) {
      const text = readFileSync(join(REPO_ROOT, file), 'utf8');
      const pkg = /pnpm deploy --filter @aerial\/(\w+) --prod/.exec(text)?.[1];
      const entry = /^ENTRYPOINT \["node", "\/app\/(.+)"\]$/m.exec(text)?.[1];
      expect({ file, pnpm: text.includes(`npm install -g ${pnpm}`), pkg, entry: !!entry }).toEqual({
        file,
        pnpm: true,
        pkg: file.includes('hub') ? 'hub' : 'workers',
        entry: true,
      });
      expect({ file, exists: existsSync(join(pkg === 'hub' ? hubDir : workersDir, entry!)) }).toEqual({
        file,
        exists: true,
      });
    }
  });

  test('the stage entrypoint loads the stage registry from the workers folder', () => {
    // No stage given: it loads @aerial/pipeline's handlers, then refuses with the named error.
    const run = spawnSync(process.execPath, [join(workersDir, 'lib', 'entrypoint.js'), 'NoSuchStage'], {
      encoding: 'utf8',
      env: { ...process.env, AERIAL_DATA_DIR: join(root, 'stage-data') },
      timeout: 60_000,
    });
    expect(run.stderr).not.toMatch(/Cannot find module|ERR_MODULE_NOT_FOUND|ENOENT/);
    expect(run.stdout).toContain('Aerial.InvalidInput');
    expect(run.status).toBe(1);
  });

  test('what stages start as separate programs is in the workers folder: worker threads, the splat CLI', () => {
    const pipeline = realpathSync(join(workersDir, 'node_modules', '@aerial', 'pipeline'));
    for (const thread of ['orthomosaic/feature-worker.js', 'orthomosaic/cog-writer-worker.js'])
      expect(existsSync(join(pipeline, 'lib', 'stages', thread))).toBe(true);
    // Compress runs the CLI beside the package's main (compress-stage.ts resolves it the same way).
    const splat = require.resolve('@playcanvas/splat-transform', { paths: [pipeline] });
    expect(existsSync(join(dirname(splat), '..', 'bin', 'cli.mjs'))).toBe(true);
    expect(splat.startsWith(root)).toBe(true);
  });

  test('the Hub from its folder migrates, serves the page and bundle, and runs the sample job on the deployed engine', async () => {
    const dataDir = join(root, 'hub-data');
    const hub = await startDeployedHub(hubDir, workersDir, dataDir, root);
    try {
      expect(hub.log.join('\n')).toMatch(/database migrated: 001_tile_database, 002_job_requests/);
      expect(await (await fetch(`${hub.url}ready`)).json()).toMatchObject({
        status: 'ready',
        checks: { database: 'ok', engine: 'ok' },
      });

      const page = await fetch(hub.url);
      expect(page.status).toBe(200);
      const html = await page.text();
      const bundle = /<script type="module"[^>]*src="\.?\/?(assets\/[^"]+\.js)"/.exec(html)?.[1];
      expect(bundle).toBeDefined();
      const js = await fetch(`${hub.url}${bundle}`);
      expect(js.status).toBe(200);
      expect(js.headers.get('content-type')).toMatch(/javascript/);

      // The sample job exercises every stage of the map preset from the workers' folder.
      type Job = { jobId: string; status: string };
      let job: Job | undefined;
      for (let i = 0; i < 240; i++) {
        job = ((await (await fetch(`${hub.url}api/jobs`)).json()) as { jobs: Job[] }).jobs[0];
        if (job && ['succeeded', 'failed'].includes(job.status)) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      expect({ job: job?.status, log: job?.status === 'succeeded' ? '' : hub.log.join('\n') }).toEqual({
        job: 'succeeded',
        log: '',
      });
    } finally {
      await hub.stop();
    }
  }, 240_000);
});

/** `pnpm deploy --prod --legacy` into `dir`, from the store `pnpm install` filled. */
function deploy(pkg: string, dir: string): string {
  const run = spawnSync('pnpm', ['deploy', '--filter', pkg, '--prod', '--legacy', '--prefer-offline', dir], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 240_000,
  });
  if (run.status !== 0) throw new Error(`pnpm deploy ${pkg} failed:\n${run.stdout}\n${run.stderr}`);
  return dir;
}

interface DeployedHub {
  readonly url: string;
  readonly log: string[];
  stop(): Promise<void>;
}

async function startDeployedHub(
  hubDir: string,
  workersDir: string,
  dataDir: string,
  cwd: string,
): Promise<DeployedHub> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AERIAL_DATA_DIR: dataDir,
    HUB_PORT: '0',
    AERIAL_ENGINE_COMMAND: `${process.execPath} ${join(workersDir, 'lib', 'cli', 'main.js')} engine`,
  };
  for (const name of ['DATABASE_URL', 'MQTT_URL', 'OBJECT_STORE', 'UPLOADS_STORE', 'SFN_ENDPOINT', 'ARGO_SERVER_URL'])
    delete env[name];
  // Started from outside the repository, so nothing resolves through the workspace's node_modules;
  // the deployed workers render the sample survey, as `pnpm start` does before the Hub.
  renderSample(join(workersDir, 'lib', 'cli', 'main.js'), env, cwd);
  const hub = await spawnHub([join(hubDir, 'lib', 'server', 'main.js'), '--sample'], { env, cwd, timeoutMs: 120_000 });
  return { url: hub.url, log: hub.log, stop: hub.stop };
}
