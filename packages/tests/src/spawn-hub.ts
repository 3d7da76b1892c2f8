import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

/** The repository's root, from src/ or lib/ alike. */
export const REPO_ROOT = resolve(__dirname, '..', '..', '..');

/** A Hub process (any build of its main), resolved once it prints its URL; stderr kept as its log. */
export interface SpawnedHub {
  readonly url: string;
  readonly log: string[];
  readonly child: ChildProcess;
  /** SIGTERM, and wait for the exit (the Hub stops its engine and services first). */
  stop(): Promise<void>;
}

export async function spawnHub(
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd?: string; timeoutMs: number },
): Promise<SpawnedHub> {
  const child: ChildProcess = spawn(process.execPath, args, {
    env: options.env,
    ...(options.cwd ? { cwd: options.cwd } : {}),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => log.push(line));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`the Hub did not start within ${options.timeoutMs / 1000} s:\n${log.join('\n')}`));
    }, options.timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the Hub exited with code ${code}:\n${log.join('\n')}`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /Aerial Hub is running: (http:\/\/\S+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]!);
      }
    });
  });
  return { url, log, child, stop };
}

/**
 * Renders the sample survey into the data directory `env` names, as `pnpm start` does before the
 * Hub's `--sample`: the workers' `aerial sample` (the Hub does not depend on the renderer).
 */
export function renderSample(cliMain: string, env: NodeJS.ProcessEnv, cwd?: string): string {
  return execFileSync(process.execPath, [cliMain, 'sample'], {
    env,
    ...(cwd ? { cwd } : {}),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 180_000,
  }).trim();
}
