import { type AerialErrorPayload, parseWorkerLine, type StageName } from '@aerial/contracts';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** How a container stage ended. */
export interface ContainerOutcome {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The named error the container reported, if any. */
  readonly error?: AerialErrorPayload;
  /** The end of its stderr, for the failure reason when it reported none. */
  readonly stderrTail: string;
}

export interface ContainerRun {
  readonly stage: StageName;
  readonly environment: Record<string, string>;
  readonly signal: AbortSignal;
  onProgress(percent: number, message?: string): void;
}

/** Runs one attempt of a container stage. */
export type ContainerRunner = (run: ContainerRun) => Promise<ContainerOutcome>;

/** Grace period between SIGTERM and SIGKILL when a job is cancelled, as AWS Batch gives. */
const KILL_GRACE_MS = 5_000;
const STDERR_TAIL_BYTES = 4_000;

/**
 * Runs a stage's container entrypoint as a child process: the local stand-in for a Batch job.
 * `command` gives the program and arguments for a stage (the workers app's entrypoint); `baseEnv`
 * is every child's environment (`childProcessEnv` of the loaded config), to which each run adds its
 * stage variables.
 */
export function childProcessRunner(
  command: (stage: StageName) => { file: string; args: string[] },
  baseEnv: Record<string, string>,
): ContainerRunner {
  return (run) =>
    new Promise((resolve, reject) => {
      const { file, args } = command(run.stage);
      const child = spawn(file, args, { env: { ...baseEnv, ...run.environment }, stdio: ['ignore', 'pipe', 'pipe'] });
      let error: AerialErrorPayload | undefined;
      let stderr = '';
      createInterface({ input: child.stdout }).on('line', (line) => {
        const message = parseWorkerLine(line);
        if (message?.type === 'progress') run.onProgress(message.percent, message.message);
        else if (message?.type === 'error') error = message.error;
      });
      child.stderr.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
      });
      let killTimer: NodeJS.Timeout | undefined;
      const onAbort = () => {
        child.kill('SIGTERM');
        killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
      };
      if (run.signal.aborted) onAbort();
      else run.signal.addEventListener('abort', onAbort, { once: true });
      child.once('error', (e) => {
        run.signal.removeEventListener('abort', onAbort);
        reject(new Error(`cannot start the ${run.stage} container (${file}): ${e.message}`));
      });
      child.once('close', (exitCode, signal) => {
        run.signal.removeEventListener('abort', onAbort);
        if (killTimer) clearTimeout(killTimer);
        resolve({ exitCode, signal, error, stderrTail: stderr.trim() });
      });
    });
}
