import { AerialError, type PipelineEvent, type StageName, STAGE_NAMES } from '@aerial/contracts';
import { EventEmitter } from 'node:events';
import type * as Sfn from '@aws-sdk/client-sfn';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SfnApiServer } from '../engine/sfn-api-server';
import { LocalFolderStore } from '@aerial/runtime';
import { notifyStage } from '@aerial/function-stages';
import { type StageHandler } from '@aerial/runtime';
import { inProcessEngine } from './in-process-engine';
import { EXAMPLE_SUMMARIES } from './example-summaries';

/**
 * For tests of code that drives jobs (the Hub, clients): the local engine behind its Step
 * Functions API, with every stage succeeding at once except that a job labelled `hold` waits in
 * Ingest until `release()`, so that it can be observed running and stopped, and a job labelled
 * `fail-once` fails in Footprints the first time it gets there, so that it can be resumed.
 */
export class EngineHarness {
  readonly sfn: Sfn.SFNClient;

  private constructor(
    readonly dir: string,
    private readonly server: SfnApiServer,
    endpoint: string,
    private readonly holds: (() => void)[],
    private readonly runs: Map<string, StageName[]>,
  ) {
    // Required here, not at the top: this package's index is loaded by every stage process.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { SFNClient } = require('@aws-sdk/client-sfn') as typeof Sfn;
    this.sfn = new SFNClient({
      endpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  }

  static async start(): Promise<EngineHarness> {
    const dir = mkdtempSync(join(tmpdir(), 'aerial-engine-harness-'));
    const store = new LocalFolderStore(join(dir, 'objects'));
    const handlers: Partial<Record<StageName, StageHandler>> = { Notify: notifyStage() };
    const holds: (() => void)[] = [];
    const runs = new Map<string, StageName[]>();
    for (const stage of STAGE_NAMES)
      if (stage !== 'Notify')
        handlers[stage] = async (invocation, context) => {
          runs.set(invocation.jobId, [...(runs.get(invocation.jobId) ?? []), stage]);
          if (stage === 'Ingest' && context.request.label === 'hold')
            await new Promise<void>((resolve) => holds.push(resolve));
          const failing = context.request.label === 'fail-once' && stage === 'Footprints';
          if (failing && runs.get(invocation.jobId)!.filter((s) => s === stage).length === 1)
            throw new AerialError('Aerial.Internal', 'Footprints fails on the first run of a fail-once job');
          return { outputs: [], summary: EXAMPLE_SUMMARIES[stage] };
        };
    const engine = inProcessEngine({ executions: join(dir, 'executions'), store, handlers });
    const server = new SfnApiServer(engine);
    const harness = new EngineHarness(dir, server, await server.listen(), holds, runs);
    engine.on('event', (event) => harness.events.emit('event', event));
    return harness;
  }

  /** Emits `event` with each pipeline event of every job, as the engine would publish it to MQTT. */
  readonly events = new EventEmitter<{ event: [PipelineEvent] }>();

  /** The stages a job ran, in the order they started (a stage run twice is listed twice). */
  ran(jobId: string): readonly StageName[] {
    return this.runs.get(jobId) ?? [];
  }

  /** Lets every held job continue. */
  release(): void {
    for (const resolve of this.holds.splice(0)) resolve();
  }

  async stop(): Promise<void> {
    this.release();
    this.sfn.destroy();
    await this.server.close();
    // Released jobs may still be writing their last objects: retry instead of failing on ENOTEMPTY.
    rmSync(this.dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  }
}
