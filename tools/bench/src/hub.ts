import { type PipelineEvent, topics } from '@aerial/contracts';
import { tileAt } from '@aerial/pipeline';
import autocannon from 'autocannon';
import mqtt from 'mqtt';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';

const ROOT = resolve(__dirname, '..', '..', '..');
const HUB = join(ROOT, 'apps', 'hub', 'lib', 'server', 'main.js');
const ENGINE = join(ROOT, 'apps', 'workers', 'lib', 'cli', 'main.js');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const ENGINE_PASSWORD = randomBytes(18).toString('base64url');

/**
 * The Hub's three figures, measured on the Hub as `pnpm start` runs it (embedded PGlite and aedes
 * unless DATABASE_URL / MQTT_URL are set), after its sample job:
 * (a) a cached tile GET against a bare fastify route returning the same bytes, same run;
 * (b) job status latency at 100 connections (p99);
 * (c) MQTT event → stored → pushed to a subscribed page (server-sent events) at 1,000 events/s:
 *     latency p99 and events lost.
 */
async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'aerial-bench-hub-'));
  const log: string[] = [];
  const child = spawn(process.execPath, [HUB, '--sample'], {
    env: {
      ...process.env,
      AERIAL_DATA_DIR: dataDir,
      HUB_PORT: '0',
      AERIAL_ENGINE_COMMAND: `${process.execPath} ${ENGINE} engine`,
      // One client sends every request here; the per-client limit would answer 429 instead.
      HUB_RATE_LIMIT_PER_MINUTE: '100000000',
      // The benchmark publishes job events as the engine does.
      HUB_MQTT_ENGINE_PASSWORD: ENGINE_PASSWORD,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  createInterface({ input: child.stderr }).on('line', (line) => log.push(line));
  try {
    const url = await new Promise<string>((ok, fail) => {
      child.once('exit', (code) => fail(new Error(`the Hub exited (${code}):\n${log.join('\n')}`)));
      createInterface({ input: child.stdout }).on('line', (line) => {
        const m = /Aerial Hub is running: (\S+)/.exec(line);
        if (m) ok(m[1]!);
      });
    });
    const embedded = /embedded MQTT broker on (mqtt:\/\/\S+)/.exec(log.join('\n'))?.[1];
    const brokerUrl =
      process.env.MQTT_URL ?? (embedded && embedded.replace('mqtt://', `mqtt://engine:${ENGINE_PASSWORD}@`));
    if (!brokerUrl) throw new Error('no broker URL in the Hub log');
    const jobId = await finishedJob(url);
    const lines = [
      `Hub ${url} (${process.env.DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'}, ${process.env.MQTT_URL ? 'external broker' : 'embedded aedes'}), ${SECONDS} s per run`,
    ];

    // (a) The tile under the middle of the job, at its finest zoom.
    const tilejson = (await (await fetch(`${url}tiles/${jobId}/tilejson.json`)).json()) as {
      maxzoom: number;
      bounds: number[];
    };
    const z = tilejson.maxzoom;
    const lon = (tilejson.bounds[0]! + tilejson.bounds[2]!) / 2;
    const lat = (tilejson.bounds[1]! + tilejson.bounds[3]!) / 2;
    const [x, y] = tileAt(lon, lat, z);
    const tilePath = `tiles/${jobId}/${z}/${x}/${y}.webp`;
    const bytes = Buffer.from(await (await fetch(`${url}${tilePath}`)).arrayBuffer());
    // The bare route runs in a process of its own, as the Hub does (autocannon has this one).
    const bare = await bareServer(bytes);
    const floor = await cannon(`${bare.url}/tile`, 10);
    const hubTile = await cannon(`${url}${tilePath}`, 10);
    bare.stop();
    if (floor.non2xx || hubTile.non2xx)
      throw new Error(`tile runs had ${floor.non2xx} / ${hubTile.non2xx} non-2xx answers`);
    lines.push(
      `(a) ${bytes.length}-byte tile, 10 connections: bare fastify ${floor.requests.average.toFixed(0)} req/s, Hub ${hubTile.requests.average.toFixed(0)} req/s` +
        ` = ${((hubTile.requests.average / floor.requests.average) * 100).toFixed(0)} % (target ≥ 50 %)`,
    );

    // (b)
    const status = await cannon(`${url}api/jobs/${jobId}/status`, 100);
    lines.push(
      `(b) job status, 100 connections: ${status.requests.average.toFixed(0)} req/s, latency p50 ${status.latency.p50} ms, p99 ${status.latency.p99} ms (target ≤ 10 ms), ${status.non2xx} non-2xx`,
    );

    // (c)
    const received = new Map<number, number>();
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
          const data = /^data: (.*)$/m.exec(block)?.[1];
          const m = data && /"message":"bench (\d+) ([\d.]+)"/.exec(data);
          if (m) received.set(Number(m[1]), performance.timeOrigin + performance.now() - Number(m[2]));
        }
      }
    })().catch(() => undefined);
    const publisher = await mqtt.connectAsync(brokerUrl, { protocolVersion: 4 });
    const rate = 1000;
    const total = rate * 5;
    const base = Date.now();
    const started = performance.now();
    for (let seq = 0; seq < total; seq++) {
      const due = started + (seq * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((ok) => setTimeout(ok, wait));
      const event: PipelineEvent = {
        type: 'stage.progress',
        jobId,
        // Distinct instants: the Hub keeps one event per (job, type, stage, instant).
        at: new Date(base + seq).toISOString(),
        stage: 'Tiles',
        percent: 50,
        message: `bench ${seq} ${(performance.timeOrigin + performance.now()).toFixed(3)}`,
      };
      void publisher.publishAsync(topics.jobEvents(jobId), JSON.stringify(event), { qos: 1 });
    }
    const sendSeconds = (performance.now() - started) / 1000;
    for (let i = 0; i < 100 && received.size < total; i++) await new Promise((ok) => setTimeout(ok, 100));
    controller.abort();
    await reading;
    await publisher.endAsync();
    const detail = (await (await fetch(`${url}api/jobs/${jobId}`)).json()) as { events: { message?: string }[] };
    const storedCount = detail.events.filter((e) => e.message?.startsWith('bench ')).length;
    const latencies = [...received.values()].sort((a, b) => a - b);
    const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
    lines.push(
      `(c) ${total} events at ${(total / sendSeconds).toFixed(0)}/s → stored → page: p50 ${p(0.5).toFixed(1)} ms, p99 ${p(0.99).toFixed(1)} ms (target ≤ 100 ms), lost ${total - received.size} (target 0; ${storedCount} stored)`,
    );
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((ok) => child.once('exit', ok));
    if (process.env.BENCH_VERBOSE) process.stderr.write(`${log.slice(-5).join('\n')}\n`);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

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

/** A bare fastify server in a child process answering GET /tile with `bytes`. */
async function bareServer(bytes: Buffer): Promise<{ url: string; stop(): void }> {
  const script = `
    const Fastify = require(${JSON.stringify(require.resolve('fastify'))});
    const bytes = Buffer.from(process.argv[1], 'base64');
    const app = Fastify();
    app.get('/tile', (_request, reply) => reply.type('image/webp').send(bytes));
    app.listen({ port: 0, host: '127.0.0.1' }).then((url) => console.log(url));`;
  const child = spawn(process.execPath, ['-e', script, bytes.toString('base64')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((ok) => createInterface({ input: child.stdout }).once('line', ok));
  return { url, stop: () => child.kill() };
}

function cannon(url: string, connections: number): Promise<autocannon.Result> {
  return autocannon({ url, connections, duration: SECONDS, pipelining: 1 });
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
