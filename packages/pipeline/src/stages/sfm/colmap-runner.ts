import { spawnSync } from 'node:child_process';
import { runTool } from '../../external-programs/run-tool';

export const COLMAP_INSTALL_HINT =
  'install COLMAP (Debian/Ubuntu: apt-get install colmap) or choose a preset without 3D';

/** The COLMAP executable: the configured one (`COLMAP_BINARY`, e.g. a CUDA build elsewhere) or `colmap` on PATH. */
export function colmapBinary(configured?: string): string {
  return configured || 'colmap';
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

/** Runs one COLMAP command; resolves with its output. */
export function runColmap(command: string, args: string[], run: ColmapRun): Promise<string> {
  return runTool({
    file: run.binary ?? colmapBinary(),
    args: [command, ...args],
    cwd: run.cwd,
    signal: run.signal,
    label: `colmap ${command}`,
    missing: { reason: 'COLMAP is not installed on this machine', remedy: COLMAP_INSTALL_HINT },
    onLine: run.onLine,
  });
}
