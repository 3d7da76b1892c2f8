import type { Logger } from '@aerial/runtime';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface EngineProcess {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/**
 * Starts the local engine as its own process (the workers' `aerial engine`): the Hub talks to it
 * over the Step Functions API exactly as it talks to AWS, and heavy stages never block the Hub.
 * What the engine writes to stderr goes to `log`, a line a message, so the Hub's log is one stream.
 */
export async function startEngineProcess(command: string, env: NodeJS.ProcessEnv, log: Logger): Promise<EngineProcess> {
  const [file, ...args] = command.split(/\s+/).filter(Boolean);
  if (!file) throw new Error('AERIAL_ENGINE_COMMAND is empty');
  const child: ChildProcess = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  // The last lines are kept for the error of an engine that ends before it listens: at a
  // LOG_LEVEL above info they would be nowhere else.
  const last: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    log.info(line);
    last.push(line);
    if (last.length > 5) last.shift();
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the engine (${command}) did not start within 30 s`)), 30_000);
    // 'close', not 'exit': its output has been read by then.
    child.once('close', (code) =>
      reject(
        new Error(
          `the engine (${command}) exited with code ${code} before listening${last.length ? `: ${last.join(' | ')}` : ''}`,
        ),
      ),
    );
    child.once('error', (e) => reject(new Error(`the engine (${command}) could not start: ${e.message}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /^engine listening on (http:\/\/\S+)$/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
  });
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}
