#!/usr/bin/env node
import { AerialError, JobIdSchema, jobOptionsFromFields, jobRequestFor, newJobId } from '@aerial/contracts';
import { AERIAL_PIPELINE, stagesFor } from '@aerial/definition';
import { type ExecutionRecord, publishEngineEvents, SfnApiServer } from '@aerial/pipeline';
import { connectEventPublisher, createLogger, loadProcessConfig, type Logger } from '@aerial/runtime';
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { createLocalEngine } from '../local-runtime';
import { type WorkerConfig, workerConfig } from '../worker-config';
import { jobSummary } from './job-summary';
import { StageProgress } from './stage-progress';
import { USAGE } from './usage';

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  const loaded = loadProcessConfig();
  // Absolute, so that the stage processes (and a later `aerial status`) find the same folder.
  const config = workerConfig({ ...loaded, AERIAL_DATA_DIR: resolve(loaded.AERIAL_DATA_DIR) });
  const log = createLogger({ name: 'aerial', level: loaded.LOG_LEVEL });
  switch (command) {
    case 'process':
      return processJob(config, log, rest);
    case 'jobs':
      return listJobs(config, log);
    case 'status':
      return showStatus(config, log, requiredJob(rest));
    case 'cancel':
      return cancelJob(config, log, requiredJob(rest));
    case 'sample':
      process.stdout.write(`${await sampleSurvey(config)}\n`);
      return 0;
    case 'engine':
      return serveEngine(config, log, rest);
    default:
      throw new AerialError(
        'Aerial.InvalidInput',
        `unknown command "${command}"`,
        'run "aerial help" for the commands',
      );
  }
}

async function processJob(config: WorkerConfig, log: Logger, args: string[]): Promise<number> {
  const { values, positionals } = parsedArgs({
    args,
    allowPositionals: true,
    options: {
      // No defaults here: an option not given takes the contract's default, as on the page and the API.
      preset: { type: 'string' },
      photos: { type: 'string' },
      label: { type: 'string' },
      webhook: { type: 'string' },
      email: { type: 'string' },
      priority: { type: 'string' },
      'flight-height': { type: 'string' },
      projection: { type: 'string' },
      'dry-run': { type: 'boolean' },
    },
  });
  const given = values.photos ?? positionals[0];
  const path = given ? resolve(given) : await sampleSurvey(config);
  if (!existsSync(path))
    throw new AerialError('Aerial.InvalidInput', `${path} does not exist`, 'give a folder of photos or a .zip archive');
  const isFolder = statSync(path).isDirectory();
  if (!isFolder && isPhoto(path)) {
    throw new AerialError(
      'Aerial.InvalidInput',
      `${path} is a single photo`,
      "give a folder or a .zip of the flight's photos",
    );
  }
  const source = isFolder ? { kind: 'folder' as const, path } : { kind: 'zip' as const, path };
  const options = jobOptionsFromFields(
    {
      preset: values.preset,
      priority: values.priority,
      label: values.label,
      webhook: values.webhook,
      email: values.email,
      flightHeight: values['flight-height'],
    },
    { flightHeightName: '--flight-height' },
  );
  const request = jobRequestFor(source, {
    ...options,
    options: {
      ...options.options,
      ...(values.projection !== undefined ? { mosaicProjection: values.projection as 'utm' } : {}),
    },
  });
  if (values['dry-run']) {
    // The request this would start, for scripts and the entry points' agreement test.
    process.stdout.write(`${JSON.stringify(request)}\n`);
    return 0;
  }
  const jobId = newJobId();

  const engine = createLocalEngine(config, log);
  const progress = new StageProgress(stagesFor(AERIAL_PIPELINE, request.preset));
  engine.on('event', (event) => progress.update(event));
  // With a broker configured, the Hub and pages follow the job live.
  const publisher = await connectEventPublisher(config.runtime.MQTT_URL);
  if (publisher) publishEngineEvents(engine, publisher, log);
  process.stderr.write(`job ${jobId}: ${request.preset} of ${path}\n`);
  const { executionArn } = await engine.startExecution({ name: jobId, input: { jobId, request } });
  const onInterrupt = () => void engine.stopExecution(executionArn, { cause: 'interrupted from the terminal' });
  process.once('SIGINT', onInterrupt);
  const record = await engine.waitFor(executionArn);
  process.off('SIGINT', onInterrupt);
  progress.stop();
  await publisher?.close();
  process.stdout.write(`\n${await jobSummary(config.store, jobId, record)}\n`);
  return exitCode(record);
}

/**
 * A single JPEG or TIFF, by its content or its name. It is refused before any work rather than run
 * as a one-photo dataset: every preset needs overlapping photos (Ingest accepts no fewer than 3, a
 * map needs matches between them), so a one-photo job could only fail later, and what the user
 * meant was the flight the photo came from. Without this it reached the zip reader and was called
 * "not a readable zip archive" (issue 18).
 */
function isPhoto(path: string): boolean {
  if (/\.(jpe?g|tiff?)$/i.test(path)) return true;
  const head = Buffer.alloc(4);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, 4, 0);
  } finally {
    closeSync(fd);
  }
  const jpeg = head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff;
  const tiff = head.equals(Buffer.from('II*\0', 'latin1')) || head.equals(Buffer.from('MM\0*', 'latin1'));
  return jpeg || tiff;
}

/**
 * The generated survey, rendered once into the data directory: what `process` runs on when no
 * photos are given, and what `aerial sample` prepares for the Hub (which keeps the renderer, and
 * sharp with it, out of its dependencies). Returns its photos folder.
 */
async function sampleSurvey(config: WorkerConfig): Promise<string> {
  const dir = join(config.runtime.AERIAL_DATA_DIR, 'sample-survey');
  const images = join(dir, 'images');
  if (!existsSync(join(dir, 'ground-truth.json'))) {
    process.stderr.write(`rendering a sample survey into ${dir}\n`);
    const { generateSurvey } = await import('@aerial/sample-data');
    await generateSurvey({
      outDir: dir,
      onProgress: (done, total) =>
        process.stderr.write(`\r  rendering photo ${done}/${total} (${Math.round((done / total) * 100)}%)`),
    });
    process.stderr.write('\n');
  }
  return images;
}

async function listJobs(config: WorkerConfig, log: Logger): Promise<number> {
  const records = await createLocalEngine(config, log).listExecutions();
  if (records.length === 0) {
    process.stdout.write('no jobs yet: run "aerial process"\n');
    return 0;
  }
  process.stdout.write(`${'job'.padEnd(24)} ${'status'.padEnd(10)} ${'started'.padEnd(20)} outcome\n`);
  for (const r of records) {
    const outcome = r.status === 'SUCCEEDED' ? '' : (r.error ?? '');
    process.stdout.write(
      `${r.name.padEnd(24)} ${r.status.padEnd(10)} ${r.startDate.slice(0, 19).replace('T', ' ').padEnd(20)} ${outcome}\n`,
    );
  }
  return 0;
}

async function showStatus(config: WorkerConfig, log: Logger, jobId: string): Promise<number> {
  const record = await createLocalEngine(config, log).describeExecution(jobId);
  if (!record) throw new AerialError('Aerial.InvalidInput', `no job ${jobId}`, 'run "aerial jobs" to list jobs');
  process.stdout.write(`${await jobSummary(config.store, jobId, record)}\n`);
  return 0;
}

async function cancelJob(config: WorkerConfig, log: Logger, jobId: string): Promise<number> {
  const engine = createLocalEngine(config, log);
  const record = await engine.describeExecution(jobId);
  if (!record) throw new AerialError('Aerial.InvalidInput', `no job ${jobId}`, 'run "aerial jobs" to list jobs');
  if (record.status !== 'RUNNING') {
    process.stdout.write(`job ${jobId} is already ${record.status.toLowerCase()}\n`);
    return 0;
  }
  await engine.stopExecution(record.executionArn, { cause: 'cancelled with "aerial cancel"' });
  process.stdout.write(`asked job ${jobId} to stop\n`);
  return 0;
}

/**
 * The local engine as a service: the Step Functions API on the loopback interface, events to
 * MQTT_URL when set. Prints `engine listening on <url>` once ready; runs until SIGTERM or SIGINT.
 */
async function serveEngine(config: WorkerConfig, log: Logger, args: string[]): Promise<number> {
  const { values } = parsedArgs({ args, options: { port: { type: 'string', default: '0' } } });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new AerialError('Aerial.InvalidInput', `--port ${values.port} is not a port number`, 'give 0–65535');
  const engine = createLocalEngine(config, log.child({ name: 'engine' }));
  const publisher = await connectEventPublisher(config.runtime.MQTT_URL);
  if (publisher) publishEngineEvents(engine, publisher, log);
  const server = new SfnApiServer(engine);
  const url = await server.listen(port);
  process.stdout.write(`engine listening on ${url}\n`);
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => resolve());
  });
  await server.close();
  await publisher?.close();
  return 0;
}

/** parseArgs, its refusals (unknown option, missing or dash-led value) reported as bad input. */
function parsedArgs<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (e) {
    if (!(e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) throw e;
    throw new AerialError(
      'Aerial.InvalidInput',
      (e as Error).message.replace(/\s*\n\s*/g, ' ').replace(/\.$/, ''),
      'run "aerial help" for the options',
    );
  }
}

function requiredJob(args: string[]): string {
  if (!args[0]) throw new AerialError('Aerial.InvalidInput', 'which job?', 'give a job id; "aerial jobs" lists them');
  // Checked here, not by the engine's store: "../../etc/passwd" ended as Aerial.Internal, exit 1.
  if (!JobIdSchema.safeParse(args[0]).success)
    throw new AerialError(
      'Aerial.InvalidInput',
      `${JSON.stringify(args[0])} is not a job id (such as job-20260101-0123abcd)`,
      'give a job id; "aerial jobs" lists them',
    );
  return args[0];
}

function exitCode(record: ExecutionRecord): number {
  if (record.status === 'SUCCEEDED') return 0;
  return record.status === 'ABORTED' ? 130 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    const error = AerialError.from(e);
    process.stderr.write(`aerial: ${error.name}: ${error.message}\n`);
    process.exit(error.name === 'Aerial.InvalidInput' ? 2 : 1);
  },
);
