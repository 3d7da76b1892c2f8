import { AerialMonorepo } from './projenrc';
import { CdkApp } from './projenrc/cdk-app';

const repo = new AerialMonorepo({ name: 'aerial-platform' });

const contracts = repo.addPackage({
  name: 'contracts',
  outdir: 'packages/contracts',
  description: 'Schemas and types shared by every Aerial package: jobs, events, topics, errors, environments',
  deps: { zod: '^4.1.0' },
  // Property-based tests of the schema boundaries (issue 18's bad-input corpus).
  devDeps: { 'fast-check': '^4.10.2' },
});

const sampleData = repo.addPackage({
  name: 'sample-data',
  outdir: 'tools/sample-data',
  description: 'Renders synthetic drone surveys (JPEG + EXIF/XMP) with ground truth, for users and tests',
  workspaceDeps: [contracts],
  deps: { sharp: '^0.35.0' },
  devDeps: { exifr: '^7.1.3' },
  bin: { 'aerial-sample-data': 'lib/cli.js' },
  testTimeout: 60_000,
});

const definition = repo.addPackage({
  name: 'definition',
  outdir: 'packages/definition',
  description:
    'The pipeline as typed data (stages, flow, presets, stage inputs and outputs) and its renderers to Step Functions ASL and Argo Workflows',
  workspaceDeps: [contracts],
  deps: { 'asl-validator': '^4.0.0' },
  devDeps: { 'fast-check': '^4.10.2' },
});

const runtime = repo.addPackage({
  name: 'runtime',
  outdir: 'packages/runtime',
  description:
    'What every Aerial process shares: object stores, the stage runner and typed stage-output reader, the process config, the logger, the event publisher, stage metrics',
  workspaceDeps: [contracts],
  deps: {
    '@aws-sdk/client-s3': '^3.1000.0',
    mqtt: '^5.16.0',
    pino: '^10.1.0',
    'pino-pretty': '^13.1.0',
    yauzl: '^3.2.0',
    zod: '^4.1.0',
  },
  devDeps: {
    'aws-sdk-client-mock': '^4.1.0',
    'fast-check': '^4.10.2',
    '@types/yauzl': '^2.10.3',
    yazl: '^3.3.1',
    '@types/yazl': '^2.4.6',
  },
  testTimeout: 30_000,
});

// The stages that run as functions (Lambda in the cloud): light enough for a Lambda bundle.
const functionStages = repo.addPackage({
  name: 'function-stages',
  outdir: 'packages/function-stages',
  description: 'The stages that run as functions (Lambda in the cloud): GuardBudget and Notify',
  workspaceDeps: [contracts, definition, runtime],
  deps: { '@aws-sdk/client-sesv2': '^3.1000.0', mqtt: '^5.16.0', zod: '^4.1.0' },
  devDeps: { 'aws-sdk-client-mock': '^4.1.0', 'fast-check': '^4.10.2' },
  testTimeout: 30_000,
});

const pipeline = repo.addPackage({
  name: 'pipeline',
  outdir: 'packages/pipeline',
  description: 'The stage processing (images, mosaic, SfM, splats, catalog) and the local engine that runs them',
  workspaceDeps: [contracts, definition, runtime, functionStages],
  // The fault engine is a program other packages' tests run as a process.
  entryPoints: { './testing': 'testing/index', './testing/fault-engine': 'testing/fault-engine-main' },
  deps: {
    'aws-local-stepfunctions': '3.0.0',
    '@aws-sdk/client-sfn': '^3.1000.0',
    exifr: '^7.1.3',
    sharp: '^0.35.0',
    zod: '^4.1.0',
    '@playcanvas/splat-transform': '3.7.0',
    mqtt: '^5.16.0',
    '@techstark/opencv-js': '4.12.0-release.1',
    'ml-matrix': '^6.15.1',
    suncalc: '^2.0.2',
    'hyparquet-writer': '^0.17.0',
    '@turf/convex': '^7.2.0',
    '@turf/helpers': '^7.2.0',
    proj4: '^2.22.0',
  },
  devDeps: {
    '@types/proj4': '^2.19.0',
    '@types/yauzl': '^2.10.3',
    yazl: '^3.3.1',
    '@types/yazl': '^2.4.6',
    'aws-sdk-client-mock': '^4.1.0',
    hyparquet: '^1.31.0',
    ajv: '^8.17.0',
    'ajv-formats': '^3.0.1',
    'geojson-schema': '^1.0.5',
    'fast-check': '^4.10.2',
  },
  esmOnlyDeps: ['hyparquet-writer', 'hyparquet'],
  workspaceDevDeps: [sampleData],
  testTimeout: 60_000,
});

const workers = repo.addPackage({
  name: 'workers',
  outdir: 'apps/workers',
  description: 'Stage container entrypoints, their Dockerfiles, and the aerial CLI that runs jobs on the local engine',
  workspaceDeps: [contracts, definition, runtime, pipeline, sampleData],
  bin: { aerial: 'lib/cli/main.js' },
  deps: { 'cli-progress': '^3.12.0', zod: '^4.1.0' },
  devDeps: { '@types/cli-progress': '^3.11.6', mqtt: '^5.16.0' },
  testTimeout: 120_000,
});

const hub = repo.addPackage({
  name: 'hub',
  outdir: 'apps/hub',
  description:
    'The Hub: REST API with OpenAPI, tile database (PostgreSQL + PostGIS), MQTT bridge, map tiles and the web page',
  // Only the light packages: the Hub never runs a stage or renders the sample survey (the
  // workers' `aerial sample` does), so sharp, OpenCV and splat-transform stay out of its image
  // (src/dependency-tree.test.ts checks its production dependency tree).
  workspaceDeps: [contracts, definition, runtime],
  workspaceDevDeps: [pipeline],
  bin: { 'aerial-hub': 'lib/server/main.js' },
  // The web page (web/, bundled by Vite with MapLibre) is built beside the server.
  postBuild: 'vite build web',
  buildOutputs: ['web/dist'],
  // Read at run time beside lib/: the images run the `pnpm deploy` folder, which holds only `files`.
  runtimeFiles: ['src/db/migrations', 'web/dist'],
  scripts: {
    lint: 'eslint --max-warnings 0 . && tsc -p tsconfig.dev.json && tsc -p web/tsconfig.json',
    // Some tests run the built server as a process (database-restart.test.ts): build it first.
    test: 'tsc -p tsconfig.json && mkdir -p .jest && jest --json --outputFile=.jest/results.json',
  },
  deps: {
    pg: '^8.16.0',
    zod: '^4.1.0',
    fastify: '^5.12.0',
    '@fastify/helmet': '^13.2.0',
    '@fastify/rate-limit': '^11.2.0',
    '@fastify/swagger': '^9.9.0',
    '@fastify/swagger-ui': '^6.1.0',
    'fastify-type-provider-zod': '^7.0.0',
    '@aws-sdk/client-sfn': '^3.1000.0',
    mqtt: '^5.16.0',
    // The embedded defaults: PGlite with PostGIS behind a PostgreSQL socket (pinned together:
    // pglite-postgis 0.2.8 needs pglite 0.5.8 exactly), and aedes with level persistence.
    '@electric-sql/pglite': '0.5.8',
    '@electric-sql/pglite-postgis': '0.2.8',
    '@electric-sql/pglite-socket': '0.2.11',
    aedes: '1.2.0',
    'aedes-persistence-level': '^9.2.0',
    level: '^10.0.0',
    ws: '^8.18.0',
    'proper-lockfile': '^4.1.2',
    '@fastify/static': '^9.0.0',
    '@fastify/multipart': '^9.0.0',
    // Resumable uploads (the tus protocol): chunks staged on disk, then moved into the uploads store.
    '@tus/server': '^2.4.5',
    '@tus/file-store': '^2.1.1',
    // Footprint vector tiles are cut and encoded here: the embedded PostGIS has no ST_AsMVT.
    'geojson-vt': '^3.2.1',
    'vt-pbf': '^3.1.3',
    // Tile, vector-index, publication and status caches (byte- or count-bounded, with TTLs).
    'lru-cache': '^11.2.0',
    // The quality report's PDF: pure JS (no Chromium, no native code in the Hub's image).
    pdfkit: '^0.20.0',
  },
  devDeps: {
    '@types/pg': '^8.15.0',
    '@types/pdfkit': '^0.17.0',
    '@types/ws': '^8.18.0',
    '@types/proper-lockfile': '^4.1.4',
    'maplibre-gl': '^5.0.0',
    // The 3D viewer (a lazy chunk of the page): its gsplat reads SOG; decision 0010.
    playcanvas: '2.23.3',
    // The page's measure tool: geodesic distance and area on the ground.
    '@turf/area': '^7.2.0',
    '@turf/distance': '^7.2.0',
    '@turf/length': '^7.2.0',
    'tus-js-client': '^4.3.1',
    vite: '^7.1.0',
    'playwright-core': '^1.55.0',
    '@types/geojson': '^7946.0.16',
    '@types/geojson-vt': '^3.2.5',
    '@types/vt-pbf': '^3.1.1',
  },
  // jest runs CommonJS; these dependencies of fastify's plugins ship ESM only.
  esmOnlyDeps: [
    'content-disposition',
    'cookie',
    'aedes',
    'level',
    '@tus/server',
    '@tus/file-store',
    '@tus/utils',
    'srvx',
  ],
  testTimeout: 60_000,
});

const infra = repo.addPackage({
  name: 'infra',
  outdir: 'packages/infra',
  description:
    'The AWS environment as code: aws-cdk-lib stacks per environment (network, data, pipeline, API, cluster, observability, cost, CI access)',
  // GuardBudget and Notify run as Lambda functions: the light stage package, never the heavy one.
  workspaceDeps: [contracts, definition, runtime, functionStages],
  // Deploys the workers' container images; does not import them.
  implicitDependencies: [workers],
  deps: {
    'aws-cdk-lib': '2.276.0',
    constructs: '^10.5.1',
    'cdk-nag': '3.0.2',
    '@aws-cdk/lambda-layer-kubectl-v36': '^2.0.1',
    '@aws-sdk/client-batch': '^3.1000.0',
    '@aws-sdk/client-cost-explorer': '^3.1000.0',
    '@aws-sdk/client-s3': '^3.1000.0',
    '@aws-sdk/client-secrets-manager': '^3.1000.0',
    '@aws-sdk/client-sesv2': '^3.1000.0',
    '@turf/convex': '^7.2.0',
    '@turf/helpers': '^7.2.0',
    '@aws-sdk/client-sfn': '^3.1000.0',
    '@aws-sdk/client-sns': '^3.1000.0',
    zod: '^4.1.0',
  },
  devDeps: { 'aws-cdk': '2.1148.1', '@types/aws-lambda': '^8.10.150', 'aws-sdk-client-mock': '^4.1.0' },
  scripts: { synth: 'node lib/app.js', deploy: 'cdk deploy --app "node lib/app.js"' },
  testTimeout: 300_000,
});
new CdkApp(repo, { outdir: 'packages/infra' });

const kubernetes = repo.addPackage({
  name: 'kubernetes',
  outdir: 'packages/kubernetes',
  description:
    'Kubernetes as code: cdk8s charts per environment (Argo CD app of apps, Argo Workflows pipeline, PostGIS, MQTT, Hub, Karpenter)',
  workspaceDeps: [contracts, definition],
  // Deploys the stage images by name (as infra does); the Hub's image is referenced the same way,
  // and a change to the Hub alone does not change a manifest (decision 0001).
  implicitDependencies: [workers],
  deps: {
    cdk8s: '^2.70.0',
    constructs: '^10.5.1',
    'kubernetes-models': '^5.1.0',
    '@kubernetes-models/argo-cd': '^4.0.0',
    '@kubernetes-models/argo-workflows': '^2.0.0',
    '@kubernetes-models/karpenter': '^2.0.0',
    '@kubernetes-models/cloudnative-pg': '^2.0.0',
    '@kubernetes-models/external-secrets': '^2.0.0',
    yaml: '^2.8.0',
  },
  scripts: {
    synth: 'node lib/main.js',
    // The schema validation runs the compiled ES-module validator: build before testing.
    test: 'tsc -p tsconfig.json && mkdir -p .jest && jest --json --outputFile=.jest/results.json',
  },
  testTimeout: 120_000,
});

repo.addPackage({
  name: 'tests',
  outdir: 'packages/tests',
  description: 'Cross-package tests: the Hub with its page in Chromium, on embedded and real services, end to end',
  workspaceDeps: [contracts, definition, runtime, functionStages, pipeline],
  // Runs the apps' built programs (never imports them): build them first. Reads the committed
  // manifests to compare them with the synthesized CloudFormation (deployment-agreement.test.ts).
  implicitDependencies: [hub, workers, kubernetes],
  deps: { pg: '^8.16.0', mqtt: '^5.16.0' },
  devDeps: {
    '@types/pg': '^8.15.0',
    'aws-cdk-lib': '2.276.0',
    // The release tests read the generated workflows.
    yaml: '^2.8.0',
    'playwright-core': '^1.55.0',
    '@mapbox/vector-tile': '^1.3.1',
    pbf: '^3.2.1',
    '@types/mapbox__vector-tile': '^1.3.4',
    '@types/pbf': '^3.0.5',
    // The bad-input corpus generates its photos (sharp, a sample survey) and archives (yazl).
    sharp: '^0.35.0',
    yazl: '^3.3.1',
    '@types/yazl': '^2.4.6',
    'fast-check': '^4.10.2',
  },
  workspaceDevDeps: [sampleData, infra],
  testTimeout: 600_000,
});

repo.addPackage({
  name: 'bench',
  outdir: 'tools/bench',
  description: 'Benchmarks that measure the pipeline against a floor in the same run and print the ratio',
  workspaceDeps: [contracts, definition, runtime, pipeline, sampleData],
  // The Hub benchmark runs the built Hub and engine as processes (it imports neither).
  implicitDependencies: [hub, workers],
  // zod: the schema of bench-report.json; playwright-core: the Hub page's first load in Chromium.
  deps: {
    sharp: '^0.35.0',
    autocannon: '^8.0.0',
    fastify: '^5.12.0',
    mqtt: '^5.16.0',
    zod: '^4.1.0',
    'playwright-core': '^1.55.0',
  },
  devDeps: { '@types/autocannon': '^7.12.7' },
  scripts: {
    ingest: 'node lib/ingest.js',
    sfm: 'node lib/sfm.js',
    mosaic: 'node lib/mosaic.js',
    hub: 'node lib/hub.js',
    engine: 'node lib/engine.js',
    affected: 'node lib/affected.js',
  },
  testTimeout: 120_000,
});
// `pnpm bench` writes its report at the root; the docs keep the committed copy (--update-docs).
repo.gitignore.exclude('/bench-report.md', '/bench-report.json');

repo.addPackage({
  name: 'repo',
  outdir: 'tools/repo',
  description: 'Repository tests: affected graph, releases, projen drift, layout, workflows, projen components',
  library: false,
  testRoots: ['.', '../../projenrc'],
  workspaceInputs: ['.projenrc.ts', 'projenrc/**/*', '.github/**/*', '.ci/**/*', 'README.md'],
  devDeps: { ajv: '^8.17.0', yaml: '^2.8.0' },
  testTimeout: 300_000,
});

repo.addPackage({
  name: 'docs',
  outdir: 'docs',
  description: 'The Aerial Platform documentation site: architecture, decisions, runbooks, API reference',
  // The reference pages are rendered from the contracts and the pipeline definition at build time.
  workspaceDeps: [contracts, definition],
  // Its alarm runbook test reads the alarms the infra declares; the runbooks' tables its config.
  // The analysis notebooks' test renders a small survey (sample-data) for the CLI to process.
  workspaceDevDeps: [infra, sampleData],
  implicitDependencies: 'all-others',
  // zod: the shape of `nx graph --file` output, checked where it enters; yaml: the workspace list in tests.
  deps: { marked: '^18.0.0', zod: '^4.1.0' },
  // vitepress: the site generator (decision 0011); playwright-core: the home page's screenshot test;
  // sharp: the home page's mosaic picture (src/make-pictures.ts).
  // vue: what VitePress renders pages with, imported by its build from the docs folder (pnpm does not hoist it).
  // @duckdb/node-api: the analysis notebooks query the GeoParquet catalog with DuckDB (Debian has no pyarrow).
  devDeps: {
    yaml: '^2.8.0',
    vitepress: '^1.6.4',
    vue: '^3.5.0',
    'playwright-core': '^1.55.0',
    sharp: '^0.35.0',
    '@duckdb/node-api': '^1.5.6-r.1',
  },
  esmOnlyDeps: ['marked'],
  postBuild: 'node lib/build-site.js',
  // The site, and the pages it generates into its sources (restored with it from Nx's cache, so
  // `vitepress dev` has them after a cached build).
  buildOutputs: ['dist', 'content/reference', 'content/packages.md', 'content/_generated'],
  // The package graph test reads the workspace list; it runs `nx graph` (about 10 s, more on a busy machine).
  workspaceInputs: ['pnpm-workspace.yaml'],
  // Its Chromium test opens the built site (and saves the home page's screenshot).
  testsReadBuild: true,
  testTimeout: 120_000,
});
// What the docs build writes into the site's sources, and VitePress' cache.
repo.gitignore.exclude(
  '/docs/content/reference/',
  '/docs/content/packages.md',
  '/docs/content/_generated/',
  '/docs/.vitepress/cache/',
);

repo.addTask('start', {
  description:
    'Build, start the Hub (embedded database, broker and local engine) and run the sample map job (or -- --photos DIR)',
  // The Hub starts the local engine as its own process with this command.
  env: { AERIAL_ENGINE_COMMAND: 'node apps/workers/lib/cli/main.js engine' },
  steps: [
    { exec: 'nx run-many -t build -p workers hub --output-style=static' },
    // The sample survey the Hub's --sample and sample button run on, rendered once by the workers
    // (the renderer pulls sharp, which the Hub does not depend on).
    { exec: 'node apps/workers/lib/cli/main.js sample' },
    // An argv, not a shell line: projen appends received arguments to a shell line unquoted, so
    // `pnpm start -- --photos "my photos"` arrived as two words (issue 18).
    { execArgs: ['node', 'apps/hub/lib/server/main.js', '--sample'], receiveArgs: true },
  ],
});
repo.addTask('aerial', {
  description: 'The aerial CLI (process, jobs, status, cancel), built first',
  steps: [
    { exec: 'nx run workers:build --output-style=static >/dev/null' },
    // An argv, not a shell line: `pnpm aerial process "My photos"` must reach the CLI as one argument.
    { execArgs: ['node', 'apps/workers/lib/cli/main.js'], receiveArgs: true },
  ],
});
repo.addTask('bench:sfm', {
  description: 'COLMAP defaults against the SfM stage settings on Brighton Beach, side by side',
  steps: [{ exec: 'nx run bench:build' }, { exec: 'node tools/bench/lib/sfm.js' }],
});
repo.addTask('bench:mosaic', {
  description: 'Map job vs decode floor, Tiles vs gdal2tiles, peak RSS on 150 photos, Caliterra map job time and RSS',
  steps: [{ exec: 'nx run bench:build' }, { exec: 'node tools/bench/lib/mosaic.js' }],
});
repo.addTask('bench:hub', {
  description:
    'The Hub: cached tile GET vs a bare route, job status p99 at 100 connections, MQTT event to page p99 at 1k/s',
  steps: [
    { exec: 'nx run-many -t build -p bench hub workers --output-style=static' },
    { exec: 'node tools/bench/lib/hub.js' },
  ],
});
repo.addTask('bench:ingest', {
  description: 'Ingest against the sharp decode floor, side by side',
  steps: [{ exec: 'nx run bench:build' }, { exec: 'node tools/bench/lib/ingest.js' }],
});
repo.addTask('bench:engine', {
  description: 'Local engine overhead per state transition: no-op stages through the engine vs called directly',
  steps: [{ exec: 'nx run bench:build' }, { exec: 'node tools/bench/lib/engine.js' }],
});
repo.addTask('bench:affected', {
  description: '`nx affected` after a Hub-only change (in a temporary worktree) vs every project',
  steps: [{ exec: 'nx run bench:build' }, { exec: 'node tools/bench/lib/affected.js' }],
});
repo.addTask('bench', {
  description:
    'Every benchmark, each against a baseline measured in the same run: writes bench-report.md and .json (-- --update-docs copies both into the docs)',
  steps: [
    { exec: 'nx run-many -t build -p bench hub workers --output-style=static' },
    { execArgs: ['node', 'tools/bench/lib/run-all.js'], receiveArgs: true },
  ],
});

repo.synth();
