import { DEFAULT_ENVIRONMENTS, type StageName, STAGE_NAMES } from '@aerial/contracts';
import { AERIAL_PIPELINE, renderAsl } from '@aerial/definition';
import { ExecutionStore, inProcessContainerRunner, inProcessFunctionRunner, LocalEngine } from '@aerial/pipeline';
import { EXAMPLE_SUMMARIES } from '@aerial/pipeline/testing';
import { LocalFolderStore, runStage, type StageHandler } from '@aerial/runtime';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { emitFigures, figure, num } from './report';
import { median } from './stats';

const ROUNDS = Number(process.env.BENCH_ENGINE_ROUNDS ?? 7);
/** Jobs per round: one job is a few milliseconds of overhead, too short to time alone. */
const JOBS = Number(process.env.BENCH_ENGINE_JOBS ?? 10);

/**
 * The local engine's own cost per state transition: jobs whose stages do nothing, run through the
 * engine (the deployed ASL in aws-local-stepfunctions, history, persisted records, events) against
 * the same stage handlers called one after another through `runStage` (the manifests both write),
 * alternating round by round. (engine − direct) / transitions is the overhead; target ≤ 2 ms.
 */
async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'aerial-bench-engine-'));
  try {
    const store = new LocalFolderStore(join(dir, 'objects'));
    const environment = DEFAULT_ENVIRONMENTS.dev;
    const ran: StageName[] = [];
    const noop: StageHandler = async (invocation) => {
      ran.push(invocation.stage);
      // runStage checks each summary against its stage's schema, as it does a real stage's.
      return { outputs: [], summary: EXAMPLE_SUMMARIES[invocation.stage] };
    };
    const handlers = Object.fromEntries(STAGE_NAMES.map((s) => [s, noop])) as Record<StageName, StageHandler>;
    const engine = new LocalEngine({
      definition: AERIAL_PIPELINE,
      asl: renderAsl(AERIAL_PIPELINE),
      store: new ExecutionStore(join(dir, 'executions')),
      runFunction: inProcessFunctionRunner({ store, environment, handlers }),
      runContainer: inProcessContainerRunner({ store, environment, handlers }),
    });
    const photos = join(dir, 'photos');
    mkdirSync(photos);
    const request = { source: { kind: 'folder', path: photos }, preset: 'map' };
    let jobs = 0;
    let transitions = 0;
    let stages: StageName[] = [];
    const viaEngine = async () => {
      for (let i = 0; i < JOBS; i++) {
        const jobId = `engine-${++jobs}`;
        ran.length = 0;
        const { executionArn } = await engine.startExecution({ input: { jobId, request } });
        const record = await engine.waitFor(executionArn);
        if (record.status !== 'SUCCEEDED')
          throw new Error(`no-op job ${jobId} ended ${record.status}: ${record.cause}`);
        transitions = record.history.filter((e) => /StateEntered$/.test(e.type)).length;
        stages = [...ran];
      }
    };
    const direct = async () => {
      for (let i = 0; i < JOBS; i++) {
        const jobId = `direct-${++jobs}`;
        for (const [k, stage] of stages.entries())
          await runStage({ jobId, stage, ...(k === 0 ? { request } : {}) }, { store, environment, handlers });
      }
    };
    // Warm-up: loads the state machine library, JIT, and learns the stage order the engine runs.
    await viaEngine();
    await direct();
    const engineMs: number[] = [];
    const directMs: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      for (const [run, into] of [
        [direct, directMs],
        [viaEngine, engineMs],
      ] as const) {
        const started = performance.now();
        await run();
        into.push((performance.now() - started) / JOBS);
      }
    }
    const perTransition = engineMs.map((e, i) => (e - directMs[i]!) / transitions);
    const f = figure({
      id: 'engine.transition',
      group: 'Local engine',
      name: `overhead per state transition (map job of no-op stages, ${transitions} transitions)`,
      unit: 'ms',
      samples: perTransition,
      target: { on: 'value', op: '<=', limit: 2, text: '≤ 2 ms per transition' },
      note:
        `(engine − direct) / transitions, ${JOBS} jobs a round; a job through the engine ` +
        `${num(median(engineMs))} ms vs the same ${stages.length} no-op stages called directly ${num(median(directMs))} ms.`,
    });
    const job = figure({
      id: 'engine.job',
      group: 'Local engine',
      name: 'no-op map job through the engine vs its stages called directly',
      unit: 'ms',
      samples: engineMs,
      baseline: { name: 'stages called directly', samples: directMs },
    });
    process.stdout.write(
      `engine: ${transitions} transitions, ${stages.join(' → ')}\n` +
        `  a job through the engine ${num(job.measured.median)} ms (${num(job.measured.min)}–${num(job.measured.max)}), directly ${num(job.baseline!.spread.median)} ms\n` +
        `  overhead per transition ${num(f.measured.median)} ms (${num(f.measured.min)}–${num(f.measured.max)}), target ≤ 2 ms\n`,
    );
    emitFigures([f, job]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench engine: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
