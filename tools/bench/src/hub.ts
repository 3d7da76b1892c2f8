import { type PipelineEvent, topics } from '@aerial/contracts';
import { tileAt } from '@aerial/pipeline';
import autocannon from 'autocannon';
import mqtt from 'mqtt';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { pageFirstLoad } from './page-load';
import { emitFigures, figure, num, skipped } from './report';
import { quantile } from './stats';

const ROOT = resolve(__dirname, '..', '..', '..');
const HUB = join(ROOT, 'apps', 'hub', 'lib', 'server', 'main.js');
const ENGINE = join(ROOT, 'apps', 'workers', 'lib', 'cli', 'main.js');
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
/** Seconds of load per measured run, rounds of (baseline, Hub) pairs, and untimed warm-up seconds. */
const SECONDS = env('BENCH_HUB_SECONDS', 5);
const ROUNDS = env('BENCH_HUB_ROUNDS', 5);
const WARMUP = env('BENCH_HUB_WARMUP', 2);
const CONNECTIONS = env('BENCH_HUB_CONNECTIONS', 100);
const EVENT_RATE = env('BENCH_EVENT_RATE', 1000);
/**
 * Load generator on CPU 0, servers on CPU 1 (BENCH_PIN=0 turns it off). On two cores an unpinned
 * autocannon and the server under test fight for the same cores, and who wins moves the figure.
 */
const PIN = process.env.BENCH_PIN !== '0' && cpus().length >= 2 && existsSync('/usr/bin/taskset');
const ENGINE_PASSWORD = randomBytes(18).toString('base64url');

/**
 * The Hub's figures, each against a bare baseline measured in this run, rounds alternating
 * (baseline, Hub, Hub, baseline, …) after an untimed warm-up of each, on the Hub as `pnpm start`
 * runs it (embedded PGlite), after its sample job:
 * (a) cached tile GET throughput against a bare fastify route returning the same bytes (≥ 50 %);
 * (b) job status p99 against a bare fastify route returning the same JSON, same connections;
 * (c) MQTT event → stored → pushed to a page (server-sent events) p99 at 1,000 events/s against a
 *     bare broker round trip (publish → a subscriber on the same broker, no Hub) at the same rate;
 * (d) the page's first load in headless Chromium (empty cache): time to the load event, and the
 *     bytes of its own files (no API, no tiles), raw and gzipped.
 * With Mosquitto installed the Hub uses one the benchmark starts (MQTT_URL, as deployments do), so
 * (c)'s baseline is that very broker; without it, the Hub's embedded aedes and no baseline.
 */
async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'aerial-bench-hub-'));
  const children: ChildProcess[] = [];
  const lines: string[] = [];
  try {
    if (PIN) execFileSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
    const serverCpu = PIN ? ['taskset', '-c', '1'] : [];
    const broker =
      process.env.BENCH_HUB_BROKER !== 'embedded' && existsSync('/usr/sbin/mosquitto')
        ? await startMosquitto(dataDir, serverCpu, children)
        : undefined;
    const { url, log, brokerUrl } = await startHub(dataDir, serverCpu, broker, children);
    const jobId = await finishedJob(url);
    lines.push(
      `Hub ${url} (embedded PGlite, ${broker ? 'Mosquitto started by the benchmark' : 'embedded aedes'}), ` +
        `${ROUNDS} rounds of ${SECONDS} s after ${WARMUP} s warm-up, ${PIN ? 'client on CPU 0, servers on CPU 1' : 'unpinned'}`,
    );
    const target = await requestTargets(url, jobId);
    const bare = await bareServer(target.tile, target.statusBody, serverCpu, children);

    const tiles = await alternate(
      () => cannon(`${bare}/tile`, 10),
      () => cannon(`${url}${target.tilePath}`, 10),
    );
    const tileFigure = tileThroughput(tiles, target.tile);
    lines.push(describe('(a) tile GET', tileFigure));
    const status = await alternate(
      () => cannon(`${bare}/status`, CONNECTIONS),
      () => cannon(`${url}${target.statusPath}`, CONNECTIONS),
    );
    const statusFigure = statusLatency(status);
    lines.push(describe('(b) status p99', statusFigure));
    const non2xx = [...tiles.bare, ...tiles.hub, ...status.bare, ...status.hub].reduce((n, r) => n + r.non2xx, 0);
    if (non2xx) throw new Error(`${non2xx} non-2xx answers during the tile and status runs`);

    const [eventFigure, lost] = eventLatency(await eventRounds(url, jobId, brokerUrl, !!broker));
    lines.push(describe('(c) event p99', eventFigure), `    lost per round: ${lost.measured.max} at most`);
    const [pageLoad, pageBytes] = await pageFirstLoad(url, ROUNDS);
    lines.push(
      describe('(d) page first load', pageLoad!),
      describe('    its files', pageBytes!),
      `    ${pageBytes!.note}`,
    );
    process.stdout.write(`${lines.join('\n')}\n`);
    emitFigures([tileFigure, statusFigure, eventFigure, lost, pageLoad!, pageBytes!]);
    if (process.env.BENCH_VERBOSE) process.stderr.write(`${log.slice(-5).join('\n')}\n`);
  } catch (e) {
    process.stdout.write(`${lines.join('\n')}\n`);
    if (!existsSync(HUB)) {
      emitFigures([skipped('hub.tile', 'Hub', 'tile, status, events', 'the Hub is not built (nx run hub:build)')]);
    }
    throw e;
  } finally {
    for (const child of children.reverse()) {
      child.kill('SIGTERM');
      if (child.exitCode === null && child.signalCode === null) await new Promise((ok) => child.once('exit', ok));
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Starts the Hub as `pnpm start` runs it (with the broker given, else its embedded one) and waits
 * for it to say where it listens; its stderr is kept in `log`.
 */
async function startHub(
  dataDir: string,
  serverCpu: string[],
  broker: string | undefined,
  children: ChildProcess[],
): Promise<{ url: string; log: string[]; brokerUrl: string }> {
  const log: string[] = [];
  // The sample survey, rendered by the workers as `pnpm start` does (the Hub does not render it).
  execFileSync(process.execPath, [ENGINE, 'sample'], {
    env: { ...process.env, AERIAL_DATA_DIR: dataDir },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const hub = spawnOn(serverCpu, process.execPath, [HUB, '--sample'], {
    ...process.env,
    AERIAL_DATA_DIR: dataDir,
    HUB_PORT: '0',
    AERIAL_ENGINE_COMMAND: `${process.execPath} ${ENGINE} engine`,
    // One client sends every request here; the per-client limit would answer 429 instead.
    HUB_RATE_LIMIT_PER_MINUTE: '100000000',
    // The benchmark publishes job events as the engine does.
    HUB_MQTT_ENGINE_PASSWORD: ENGINE_PASSWORD,
    ...(broker ? { MQTT_URL: broker } : {}),
  });
  children.push(hub);
  createInterface({ input: hub.stderr! }).on('line', (line) => log.push(line));
  const url = await new Promise<string>((ok, fail) => {
    hub.once('exit', (code) => fail(new Error(`the Hub exited (${code}):\n${log.join('\n')}`)));
    createInterface({ input: hub.stdout! }).on('line', (line) => {
      const m = /Aerial Hub is running: (\S+)/.exec(line);
      if (m) ok(m[1]!);
    });
  });
  const embedded = /embedded MQTT broker on (mqtt:\/\/\S+)/.exec(log.join('\n'))?.[1];
  const brokerUrl = broker ?? (embedded && embedded.replace('mqtt://', `mqtt://engine:${ENGINE_PASSWORD}@`));
  if (!brokerUrl) throw new Error('no broker URL in the Hub log');
  return { url, log, brokerUrl };
}

/** The tile under the middle of the job, at its finest zoom, and the job's status document. */
async function requestTargets(
  url: string,
  jobId: string,
): Promise<{ tilePath: string; tile: Buffer; statusPath: string; statusBody: string }> {
  const tilejson = (await (await fetch(`${url}tiles/${jobId}/tilejson.json`)).json()) as {
    maxzoom: number;
    bounds: number[];
  };
  const z = tilejson.maxzoom;
  const [x, y] = tileAt(
    (tilejson.bounds[0]! + tilejson.bounds[2]!) / 2,
    (tilejson.bounds[1]! + tilejson.bounds[3]!) / 2,
    z,
  );
  const tilePath = `tiles/${jobId}/${z}/${x}/${y}.webp`;
  const response = await fetch(`${url}${tilePath}`);
  if (response.status !== 200) throw new Error(`GET ${tilePath}: ${response.status}`);
  const tile = Buffer.from(await response.arrayBuffer());
  const statusPath = `api/jobs/${jobId}/status`;
  const statusBody = await (await fetch(`${url}${statusPath}`)).text();
  return { tilePath, tile, statusPath, statusBody };
}

type Runs = { bare: autocannon.Result[]; hub: autocannon.Result[] };
type MeasuredFigure = ReturnType<typeof figure>;

/** (a) cached tile GET throughput against a bare route returning the same bytes. */
function tileThroughput(tiles: Runs, bytes: Buffer): MeasuredFigure {
  return figure({
    id: 'hub.tile',
    group: 'Hub',
    name: `cached tile GET throughput (${bytes.length}-byte WebP, 10 connections)`,
    unit: 'req/s',
    samples: tiles.hub.map((r) => r.requests.average),
    baseline: { name: 'bare fastify route, same bytes', samples: tiles.bare.map((r) => r.requests.average) },
    target: { on: 'ratio', op: '>=', limit: 0.5, text: '≥ 0.5 of bare' },
  });
}

/** (b) job status p99 against a bare route returning the same JSON. */
function statusLatency(status: Runs): MeasuredFigure {
  const median = (runs: autocannon.Result[], of: (r: autocannon.Result) => number) => num(quantile(runs.map(of), 0.5));
  return figure({
    id: 'hub.status',
    group: 'Hub',
    name: `job status p99 latency (${CONNECTIONS} connections)`,
    unit: 'ms',
    samples: status.hub.map((r) => r.latency.p99),
    baseline: { name: 'bare fastify JSON route, same body', samples: status.bare.map((r) => r.latency.p99) },
    target: { on: 'ratio', op: '<=', limit: STATUS_P99_RATIO, text: `≤ ${STATUS_P99_RATIO}× bare p99` },
    note:
      `throughput ${median(status.hub, (r) => r.requests.average)} req/s vs bare ` +
      `${median(status.bare, (r) => r.requests.average)} req/s; Hub p50 ` +
      `${median(status.hub, (r) => r.latency.p50)} ms.`,
  });
}

/** (c) MQTT event → stored → page p99, against a bare broker round trip where there is one; and events lost. */
function eventLatency(events: { hub: EventRound[]; bare: EventRound[] }): [MeasuredFigure, MeasuredFigure] {
  const eventFigure = figure({
    id: 'hub.events',
    group: 'Hub',
    name: `MQTT event → stored → page p99 (${EVENT_RATE} events/s for ${SECONDS} s)`,
    unit: 'ms',
    samples: events.hub.map((r) => r.p99),
    ...(events.bare.length
      ? {
          baseline: { name: 'bare broker round trip, same rate', samples: events.bare.map((r) => r.p99) },
          target: { on: 'ratio', op: '<=', limit: EVENTS_P99_RATIO, text: `≤ ${EVENTS_P99_RATIO}× bare p99` },
        }
      : {}),
    note: `Hub p50 ${num(
      quantile(
        events.hub.map((r) => r.p50),
        0.5,
      ),
    )} ms; ${
      events.bare.length ? '' : 'no bare baseline (Mosquitto is absent: the embedded broker lives in the Hub); '
    }lost ${events.hub.reduce((n, r) => n + r.lost, 0)} of ${events.hub.length * EVENT_RATE * SECONDS}.`,
  });
  const lost = figure({
    id: 'hub.events.lost',
    group: 'Hub',
    name: 'events lost on the way to the page, per round',
    unit: 'events',
    samples: events.hub.map((r) => r.lost),
    target: { on: 'value', op: '<=', limit: 0, text: '0' },
  });
  return [eventFigure, lost];
}

/**
 * The old millisecond targets restated as ratios to the baselines measured on a quiet machine of
 * this kind (client and servers pinned): status ≤ 10 ms against a bare route's p99 of 2–3 ms at 100
 * connections gives 4×; events ≤ 100 ms against a bare Mosquitto round trip's p99 of 0.5–0.8 ms at
 * 1,000/s gives ~150× (a sub-millisecond baseline: the ratio is coarse, the table keeps the ms).
 */
const STATUS_P99_RATIO = 4;
const EVENTS_P99_RATIO = 150;

function describe(label: string, f: ReturnType<typeof figure>): string {
  const m = f.measured;
  const b = f.baseline?.spread;
  return (
    `${label}: Hub ${num(m.median)} ${f.unit} (${num(m.min)}–${num(m.max)})` +
    (b ? `, bare ${num(b.median)} ${f.unit} (${num(b.min)}–${num(b.max)})` : '') +
    (f.ratio ? `, ratio ${num(f.ratio.median)} (${num(f.ratio.min)}–${num(f.ratio.max)})` : '') +
    (f.target ? `, target ${f.target.text}: ${f.pass ? 'pass' : 'FAIL'}` : '')
  );
}

/**
 * Untimed warm-up of each, then rounds in ABBA order (bare, Hub, Hub, bare, …): a drift of the
 * machine's speed during the rounds falls on both alike.
 */
async function alternate<T>(bare: () => Promise<T>, hub: () => Promise<T>): Promise<{ bare: T[]; hub: T[] }> {
  await warm(bare);
  await warm(hub);
  const out = { bare: [] as T[], hub: [] as T[] };
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 ? ([hub, bare] as const) : ([bare, hub] as const);
    for (const run of order) (run === bare ? out.bare : out.hub).push(await run());
  }
  return out;
}

let warming = false;
async function warm<T>(run: () => Promise<T>): Promise<void> {
  if (WARMUP <= 0) return;
  warming = true;
  try {
    await run();
  } finally {
    warming = false;
  }
}

function cannon(url: string, connections: number): Promise<autocannon.Result> {
  return autocannon({ url, connections, duration: warming ? WARMUP : SECONDS, pipelining: 1 });
}

interface EventRound {
  p50: number;
  p99: number;
  lost: number;
}

/**
 * (c): rounds alternate between the Hub's path (publish job events, read the page's event stream)
 * and, with an external broker, the bare round trip (publish to a topic the Hub does not read, a
 * subscriber in this process). One event stream stays open through every round: the Hub sends a
 * job's stored events first on each new stream, and they grow with every round.
 */
async function eventRounds(
  url: string,
  jobId: string,
  brokerUrl: string,
  external: boolean,
): Promise<{ bare: EventRound[]; hub: EventRound[] }> {
  const arrivals = new Map<string, number>();
  const controller = new AbortController();
  const stream = await fetch(`${url}api/jobs/${jobId}/events`, { signal: controller.signal });
  const reading = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of stream.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const m = /"message":"bench (r\d+-\d+) ([\d.]+)"/.exec(block);
        if (m) arrivals.set(m[1]!, now() - Number(m[2]));
      }
    }
  })().catch(() => undefined);
  const publisher = await mqtt.connectAsync(brokerUrl, { protocolVersion: 4 });
  const bareTopic = `bench/${randomBytes(4).toString('hex')}/roundtrip`;
  // The bare subscriber has a connection of its own, as the Hub's bridge has.
  const subscriber = external ? await mqtt.connectAsync(brokerUrl, { protocolVersion: 4 }) : undefined;
  if (subscriber) {
    await subscriber.subscribeAsync(bareTopic, { qos: 1 });
    subscriber.on('message', (topic, payload) => {
      if (topic !== bareTopic) return;
      const m = /"message":"bench (r\d+-\d+) ([\d.]+)"/.exec(payload.toString());
      if (m) arrivals.set(m[1]!, now() - Number(m[2]));
    });
  }
  await new Promise((ok) => setTimeout(ok, 1000)); // the stream's stored events have arrived
  let round = 0;
  const run = async (topic: string): Promise<EventRound> => {
    const tag = `r${++round}`;
    const total = Math.round(EVENT_RATE * (warming ? WARMUP : SECONDS));
    const base = Date.now();
    const started = performance.now();
    for (let seq = 0; seq < total; seq++) {
      const wait = started + (seq * 1000) / EVENT_RATE - performance.now();
      if (wait > 1) await new Promise((ok) => setTimeout(ok, wait));
      const event: PipelineEvent = {
        type: 'stage.progress',
        jobId,
        // Distinct instants: the Hub keeps one event per (job, type, stage, instant).
        at: new Date(base + seq).toISOString(),
        stage: 'Tiles',
        percent: 50,
        message: `bench ${tag}-${seq} ${now().toFixed(3)}`,
      };
      void publisher.publishAsync(topic, JSON.stringify(event), { qos: 1 });
    }
    const seen = () => [...arrivals.keys()].filter((k) => k.startsWith(`${tag}-`)).length;
    for (let i = 0; i < 100 && seen() < total; i++) await new Promise((ok) => setTimeout(ok, 100));
    const latencies = [...arrivals].filter(([k]) => k.startsWith(`${tag}-`)).map(([, v]) => v);
    for (const k of [...arrivals.keys()]) if (k.startsWith(`${tag}-`)) arrivals.delete(k);
    return {
      p50: latencies.length ? quantile(latencies, 0.5) : NaN,
      p99: latencies.length ? quantile(latencies, 0.99) : NaN,
      lost: total - latencies.length,
    };
  };
  const hubTopic = topics.jobEvents(jobId);
  try {
    if (!external) {
      await warm(() => run(hubTopic));
      const hub: EventRound[] = [];
      for (let r = 0; r < ROUNDS; r++) hub.push(await run(hubTopic));
      return { bare: [], hub };
    }
    return await alternate(
      () => run(bareTopic),
      () => run(hubTopic),
    );
  } finally {
    controller.abort();
    await reading;
    await publisher.endAsync();
    await subscriber?.endAsync();
  }
}

const now = () => performance.timeOrigin + performance.now();

async function finishedJob(url: string): Promise<string> {
  for (let i = 0; i < 600; i++) {
    const { jobs } = (await (await fetch(`${url}api/jobs`)).json()) as { jobs: { jobId: string; status: string }[] };
    const job = jobs[0];
    if (job?.status === 'succeeded') {
      for (let k = 0; k < 50 && (await fetch(`${url}api/jobs/${job.jobId}/products`)).status !== 200; k++)
        await new Promise((ok) => setTimeout(ok, 200));
      return job.jobId;
    }
    if (job?.status === 'failed') throw new Error(`the sample job failed`);
    await new Promise((ok) => setTimeout(ok, 500));
  }
  throw new Error('the sample job did not finish in 5 minutes');
}

function spawnOn(cpu: string[], command: string, args: string[], environment?: NodeJS.ProcessEnv): ChildProcess {
  const [file, ...rest] = [...cpu, command, ...args];
  return spawn(file!, rest, { env: environment ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * A bare fastify server in a process of its own, as the Hub is, on the servers' CPU: GET /tile
 * answers the tile's bytes, GET /status the status document's JSON.
 */
async function bareServer(bytes: Buffer, status: string, cpu: string[], children: ChildProcess[]): Promise<string> {
  const script = `
    const Fastify = require(${JSON.stringify(require.resolve('fastify'))});
    const [bytes, status] = [Buffer.from(process.argv[1], 'base64'), process.argv[2]];
    const app = Fastify();
    app.get('/tile', (_request, reply) => reply.type('image/webp').send(bytes));
    app.get('/status', (_request, reply) => reply.type('application/json; charset=utf-8').send(status));
    app.listen({ port: 0, host: '127.0.0.1' }).then((url) => console.log(url));`;
  const child = spawnOn(cpu, process.execPath, ['-e', script, bytes.toString('base64'), status]);
  children.push(child);
  child.stderr!.pipe(process.stderr);
  return new Promise<string>((ok, fail) => {
    child.once('exit', (code) => fail(new Error(`the bare server exited (${code})`)));
    createInterface({ input: child.stdout! }).once('line', ok);
  });
}

/** Mosquitto on a free loopback port, anonymous, without persistence: the MQTT_URL for the Hub. */
async function startMosquitto(dir: string, cpu: string[], children: ChildProcess[]): Promise<string> {
  const port = await new Promise<number>((ok) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => ok(port));
    });
  });
  const conf = join(dir, 'mosquitto.conf');
  // set_tcp_nodelay: without it Nagle's algorithm holds small messages back for the peer's delayed
  // ACK, and every round trip through the broker reads ~40 ms more.
  writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nset_tcp_nodelay true\n`);
  const child = spawnOn(cpu, '/usr/sbin/mosquitto', ['-c', conf]);
  children.push(child);
  for (let i = 0; i < 50; i++) {
    try {
      const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0, connectTimeout: 500 });
      await client.endAsync();
      return `mqtt://127.0.0.1:${port}`;
    } catch {
      await new Promise((ok) => setTimeout(ok, 100));
    }
  }
  throw new Error('mosquitto did not start');
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
