import { AerialError } from '@aerial/contracts';
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';

export const COLMAP_INSTALL_HINT =
  'install COLMAP (Debian/Ubuntu: apt-get install colmap) or choose a preset without 3D';

/** The COLMAP executable: `COLMAP_BINARY` (e.g. a CUDA build elsewhere) or `colmap` on PATH. */
export function colmapBinary(): string {
  return process.env.COLMAP_BINARY || 'colmap';
}

/** COLMAP's version line, or undefined when it cannot be run. */
export function colmapVersion(binary = colmapBinary()): string | undefined {
  const out = spawnSync(binary, ['help'], { encoding: 'utf8', timeout: 10_000 });
  if (out.error || out.status !== 0) return undefined;
  return /COLMAP [\d.]+/.exec(out.stdout)?.[0];
}

export interface ColmapRun {
  readonly cwd: string;
  readonly signal: AbortSignal;
  /** Every output line, for progress parsing. */
  onLine?(line: string): void;
  readonly binary?: string;
}

/** Runs one COLMAP command; resolves with its output, rejects with its last lines. */
export function runColmap(command: string, args: string[], run: ColmapRun): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(run.binary ?? 'colmap', [command, ...args], {
      cwd: run.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    const collect = (line: string) => {
      lines.push(line);
      if (lines.length > 4000) lines.splice(0, 1000);
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
          ? new AerialError('Aerial.ToolMissing', 'COLMAP is not installed on this machine', COLMAP_INSTALL_HINT)
          : e,
      );
    });
    child.once('close', (code, signal) => {
      run.signal.removeEventListener('abort', onAbort);
      if (run.signal.aborted) return reject(new AerialError('Aerial.Cancelled', `colmap ${command} was stopped`));
      if (code === 0) return resolve(lines.join('\n'));
      reject(
        new AerialError(
          'Aerial.Internal',
          `colmap ${command} failed (${signal ?? `exit ${code}`}): ${lines.slice(-8).join(' | ')}`,
        ),
      );
    });
  });
}
