import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { RestartablePostgres } from '../engine/test-support/restartable-services';

const MAIN = join(__dirname, '..', '..', 'lib', 'server', 'main.js');
const HAS_POSTGRES = existsSync('/usr/lib/postgresql');

/**
 * The Hub process (its built main) on a PostgreSQL of the test's own, which the test restarts:
 * the pool's idle clients see their server go away, and the process must live on and answer
 * from the database again once it is back.
 */
(HAS_POSTGRES && existsSync(MAIN) ? describe : describe.skip)('the Hub process when PostgreSQL restarts', () => {
  let pg: RestartablePostgres;
  let hub: ChildProcess;
  let url: string;
  const log: string[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'aerial-hub-pg-restart-'));

  beforeAll(async () => {
    pg = await RestartablePostgres.start();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      AERIAL_DATA_DIR: dataDir,
      HUB_PORT: '0',
      DATABASE_URL: pg.url,
      // The jobs list reads the database only; no engine is reached in this test.
      SFN_ENDPOINT: 'http://127.0.0.1:9',
    };
    for (const name of ['MQTT_URL', 'OBJECT_STORE', 'ARGO_SERVER_URL', 'AERIAL_ENGINE_COMMAND']) delete env[name];
    hub = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    createInterface({ input: hub.stderr! }).on('line', (line) => log.push(line));
    url = await new Promise<string>((resolve, reject) => {
      hub.once('exit', (code) => reject(new Error(`the Hub exited with code ${code}:\n${log.join('\n')}`)));
      createInterface({ input: hub.stdout! }).on('line', (line) => {
        const m = /Aerial Hub is running: (http:\/\/\S+)/.exec(line);
        if (m) resolve(m[1]!);
      });
    });
  }, 120_000);

  afterAll(async () => {
    if (hub && hub.exitCode === null) {
      const exited = new Promise((r) => hub.once('exit', r));
      hub.kill('SIGTERM');
      await exited;
    }
    pg?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('it logs the lost connection, stays up, and serves from the database once it is back', async () => {
    expect((await fetch(new URL('/api/jobs', url))).status).toBe(200);
    pg.down();
    // Idle pool clients receive the server's shutdown now; an unheard 'error' would end the process.
    await new Promise((r) => setTimeout(r, 1000));
    expect(hub.exitCode).toBeNull();
    expect((await fetch(new URL('/health', url))).status).toBe(200);
    pg.up();
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = (await fetch(new URL('/api/jobs', url))).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(200);
    expect(hub.exitCode).toBeNull();
    expect(log).toContainEqual(expect.stringMatching(/database connection lost/));
  }, 120_000);
});
