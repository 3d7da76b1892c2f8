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
  createInterface({ input: child.stderr! }).on('line', (line) => log.info(line));
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the engine (${command}) did not start within 30 s`)), 30_000);
    child.once('exit', (code) =>
      reject(new Error(`the engine (${command}) exited with code ${code} before listening`)),
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
