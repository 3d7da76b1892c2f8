import { type PipelineEvent, LOCAL_STATE_MACHINE_ARN } from '@aerial/contracts';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';

const FAULT_ENGINE = require.resolve('@aerial/pipeline/testing/fault-engine');
const JOB = 'job-restart';

interface Engine {
  readonly child: ChildProcess;
  readonly endpoint: string;
  readonly events: PipelineEvent[];
}

/** The local engine as its own process (fake stages, real engine, store and Step Functions API). */
async function startEngine(dir: string, plan: object = {}): Promise<Engine> {
  const child = spawn(process.execPath, [FAULT_ENGINE, dir], {
    env: { ...process.env, AERIAL_FAULT_PLAN: JSON.stringify(plan) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const events: PipelineEvent[] = [];
  const endpoint = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the fault engine exited (${code}) before listening`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const listening = /^engine listening on (\S+)$/.exec(line);
      if (listening) resolve(listening[1]!);
      if (line.startsWith('event ')) events.push(JSON.parse(line.slice('event '.length)) as PipelineEvent);
    });
  });
  return { child, endpoint, events };
}

async function sfn<T>(engine: Engine, operation: string, body: object): Promise<T> {
  const response = await fetch(engine.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AWSStepFunctions.${operation}` },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as T;
  if (!response.ok) throw new Error(`${operation}: ${JSON.stringify(json)}`);
  return json;
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function finish(engine: Engine, executionArn: string): Promise<{ status: string; redriveCount?: number }> {
  return until('the job to end', async () => {
    const d = await sfn<{ status: string; redriveCount?: number }>(engine, 'DescribeExecution', { executionArn });
    return d.status === 'RUNNING' ? undefined : d;
  });
}

async function stop(engine: Engine): Promise<void> {
  if (engine.child.exitCode !== null || engine.child.signalCode !== null) return;
  const exited = new Promise((r) => engine.child.once('exit', r));
  engine.child.kill('SIGTERM');
  const kill = setTimeout(() => engine.child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(kill);
}

/** A job's objects, times taken out (manifests and notices say when they were written). */
function outputsOf(dir: string): Record<string, unknown> {
  const root = join(dir, 'objects', 'jobs', JOB);
  const found: Record<string, unknown> = {};
  for (const file of readdirSync(root, { recursive: true }) as string[]) {
    if (!file.endsWith('.json') || file.endsWith('.meta.json')) continue;
    let text: string;
    try {
      text = readFileSync(join(root, file), 'utf8');
    } catch {
      continue; // a folder
    }
    found[relative(root, join(root, file))] = JSON.parse(text, (key, value: unknown) =>
      ['at', 'startedAt', 'finishedAt'].includes(key) ? '<time>' : value,
    );
  }
  return found;
}

const runsOf = (dir: string) =>
  readFileSync(join(dir, 'runs.log'), { encoding: 'utf8', flag: 'a+' })
    .trim()
    .split('\n')
    .map((line) => line.split(' ')[1]);

/**
 * The engine process is killed (SIGKILL) while a job runs. After a restart the job goes on from
 * the stage that was cut off: the stages it had finished do not run again, its outputs are those
 * of a run that was never interrupted, and no event is published twice.
 */
describe('faults: the engine process is killed mid-job', () => {
  let dirs: string[] = [];
  const engines: Engine[] = [];
  afterAll(async () => {
    for (const engine of engines) await stop(engine);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const folder = () => {
    const dir = mkdtempSync(join(tmpdir(), 'aerial-engine-restart-'));
    dirs = [...dirs, dir];
    return dir;
  };
  const input = (dir: string) =>
    JSON.stringify({ jobId: JOB, request: { source: { kind: 'folder', path: dir }, label: 'restart' } });

  test('after a restart the job resumes from the stage that was cut off; outputs identical; no duplicates', async () => {
    const photos = folder();
    // An uninterrupted run, for comparison.
    const reference = folder();
    const plain = await startEngine(reference);
    engines.push(plain);
    const { executionArn: plainArn } = await sfn<{ executionArn: string }>(plain, 'StartExecution', {
      stateMachineArn: LOCAL_STATE_MACHINE_ARN,
      name: JOB,
      input: input(photos),
    });
    expect((await finish(plain, plainArn)).status).toBe('SUCCEEDED');
    await stop(plain);

    // The same job, its engine killed while Footprints runs.
    const dir = folder();
    const gate = join(dir, 'gate');
    const plan = { Footprints: { waitForFile: gate } };
    const first = await startEngine(dir, plan);
    engines.push(first);
    const { executionArn } = await sfn<{ executionArn: string }>(first, 'StartExecution', {
      stateMachineArn: LOCAL_STATE_MACHINE_ARN,
      name: JOB,
      input: input(photos),
    });
    await until('Footprints to run', () => runsOf(dir).includes('Footprints') || undefined);
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));

    writeFileSync(gate, '');
    const second = await startEngine(dir, plan);
    engines.push(second);
    const ended = await finish(second, executionArn);
    expect(ended).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });

    // Resumed, not restarted: only the stage that was cut off ran again.
    const expected = runsOf(reference).flatMap((stage) => (stage === 'Footprints' ? [stage, stage] : [stage]));
    expect(expected.slice(0, 4)).toEqual(['GuardBudget', 'Ingest', 'Footprints', 'Footprints']);
    expect(runsOf(dir)).toEqual(expected);
    expect(outputsOf(dir)).toEqual(outputsOf(reference));

    // The last event follows the record's last save.
    await until('the last event', () => second.events.some((e) => e.type === 'job.succeeded') || undefined);
    const events = [...first.events, ...second.events];
    const once = (type: string, stage?: string) =>
      events.filter((e) => e.type === type && (stage === undefined || ('stage' in e && e.stage === stage))).length;
    expect(once('job.started')).toBe(1);
    expect(once('job.succeeded')).toBe(1);
    for (const stage of new Set(runsOf(reference))) expect(once('stage.succeeded', stage)).toBe(1);
    const history = await sfn<{ events: { type: string }[] }>(second, 'GetExecutionHistory', { executionArn });
    expect(history.events.map((e) => e.type)).toContain('ExecutionRedriven');
  }, 120_000);
});
