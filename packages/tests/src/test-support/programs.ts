import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, spawnHub } from '../spawn-hub';

export const HUB_MAIN = join(REPO_ROOT, 'apps', 'hub', 'lib', 'server', 'main.js');
export const CLI_MAIN = join(REPO_ROOT, 'apps', 'workers', 'lib', 'cli', 'main.js');

/** The variables that would point a program at someone else's services or data. */
const INHERITED_OUT = ['DATABASE_URL', 'MQTT_URL', 'OBJECT_STORE', 'UPLOADS_STORE', 'SFN_ENDPOINT', 'AERIAL_ENV'];

/** The test's environment without the service settings, plus `extra`. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const name of INHERITED_OUT) if (!(name in extra)) delete env[name];
  return env;
}

export interface Exit {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a built program to its end, killed (and failing the case) when it outlives `timeoutMs`. */
export function run(program: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<Exit> {
  if (!existsSync(program)) throw new Error(`${program} is not built: run "pnpm build" first`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [program, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${program} ${args.join(' ')} hung for ${timeoutMs} ms:\n${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface EmbeddedHub {
  readonly url: string;
  /** Its data folder: the object store (uploads included) lives under `objects/`. */
  readonly dataDir: string;
  readonly apiKey: string;
  /** The embedded broker, as the engine user (who may publish job events). */
  readonly brokerUrl: string;
  readonly log: string[];
  readonly exited: () => boolean;
  /** Stops the Hub (SIGTERM) and returns what it printed. */
  stop(): Promise<{ code: number | null; log: string[] }>;
}

/**
 * The Hub as `pnpm start` runs it on the embedded services (PGlite + PostGIS, aedes, the local
 * engine as its own process), without the sample job: a clean installation to throw input at.
 */
export async function startEmbeddedHub(): Promise<EmbeddedHub> {
  const dataDir = mkdtempSync(join(tmpdir(), 'aerial-bad-hub-'));
  const enginePassword = 'bad-input-engine-password';
  const hub = await spawnHub([HUB_MAIN], {
    env: cleanEnv({
      AERIAL_DATA_DIR: dataDir,
      HUB_PORT: '0',
      HUB_MQTT_ENGINE_PASSWORD: enginePassword,
      AERIAL_ENGINE_COMMAND: `${process.execPath} ${CLI_MAIN} engine`,
    }),
    timeoutMs: 180_000,
  });
  const { url, log, child } = hub;
  const broker = log.map((l) => /embedded MQTT broker on (mqtt:\/\/\S+)/.exec(l)?.[1]).find(Boolean);
  if (!broker) throw new Error(`the Hub did not say where its broker is:\n${log.join('\n')}`);
  const brokerUrl = new URL(broker);
  brokerUrl.username = 'engine';
  brokerUrl.password = enginePassword;
  return {
    url,
    dataDir,
    apiKey: readFileSync(join(dataDir, 'hub-api-key'), 'utf8').trim(),
    brokerUrl: brokerUrl.toString(),
    log,
    exited: () => child.exitCode !== null,
    stop: async () => {
      await hub.stop();
      rmSync(dataDir, { recursive: true, force: true });
      return { code: child.exitCode, log };
    },
  };
}
