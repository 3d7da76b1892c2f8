import { AerialError } from '@aerial/contracts';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ToolRun {
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  readonly signal: AbortSignal;
  /** Names the run in errors, e.g. "colmap mapper". */
  readonly label: string;
  /** What to tell the user when the program is not installed. */
  readonly missing: { readonly reason: string; readonly remedy: string };
  /** Every line of stdout and stderr, as it arrives. */
  onLine?(line: string): void;
}

const KEPT_LINES = 5000;

/**
 * Runs an external program a stage depends on (COLMAP, a splat trainer, splat-transform): stops it
 * when the stage is cancelled, and turns "not installed", "stopped" and "failed" into named errors.
 * Resolves with its output.
 */
export function runTool(run: ToolRun): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(run.file, [...run.args], { cwd: run.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    const collect = (line: string) => {
      lines.push(line);
      if (lines.length > KEPT_LINES) lines.splice(0, lines.length - KEPT_LINES);
      run.onLine?.(line);
    };
    createInterface({ input: child.stdout }).on('line', collect);
    createInterface({ input: child.stderr }).on('line', collect);
    const onAbort = () => child.kill('SIGTERM');
    run.signal.addEventListener('abort', onAbort, { once: true });
    child.once('error', (e) => {
      run.signal.removeEventListener('abort', onAbort);
      reject(
        (e as NodeJS.ErrnoException).code === 'ENOENT'
          ? new AerialError('Aerial.ToolMissing', run.missing.reason, run.missing.remedy)
          : e,
      );
    });
    child.once('close', (code, signal) => {
      run.signal.removeEventListener('abort', onAbort);
      if (run.signal.aborted) return reject(new AerialError('Aerial.Cancelled', `${run.label} was stopped`));
      if (code === 0) return resolve(lines.join('\n'));
      // Killed from outside (the OOM killer, an operator, a node draining): the same run can
      // succeed on another try, so the stage is retried rather than failed.
      if (signal === 'SIGKILL' || signal === 'SIGTERM' || signal === 'SIGINT' || signal === 'SIGHUP')
        return reject(
          new AerialError(
            'Aerial.Transient',
            `${run.label} was killed (${signal}): ${lines.slice(-3).join(' | ') || 'no output'}`,
            'the stage is retried; if it is killed again, give it more memory',
          ),
        );
      reject(
        new AerialError(
          'Aerial.Internal',
          `${run.label} failed (${signal ?? `exit ${code}`}): ${lines.slice(-6).join(' | ')}`,
        ),
      );
    });
  });
}
