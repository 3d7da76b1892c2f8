import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedBroker } from '../../embedded/embedded-broker';

/** A free loopback port. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const isRoot = () => process.getuid?.() === 0;

/** PostgreSQL's programs: Debian keeps them per major version, outside PATH. */
function pgBin(program: string): string {
  const root = '/usr/lib/postgresql';
  const major = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(a) - Number(b))
        .at(-1)
    : undefined;
  return major ? join(root, major, 'bin', program) : program;
}

/** Runs a PostgreSQL program as `postgres` when we are root (it refuses to run as root). */
function asPostgres(file: string, args: string[]): string {
  return isRoot()
    ? execFileSync('runuser', ['-u', 'postgres', '--', file, ...args], { encoding: 'utf8', stdio: 'pipe' })
    : execFileSync(file, args, { encoding: 'utf8', stdio: 'pipe' });
}

/**
 * A PostgreSQL server of the test's own (the packages tools/services/setup.sh installs, PostGIS
 * included), on a free port, that the test may stop and start: the shared test server is not
 * restarted under other tests' feet.
 */
export class RestartablePostgres {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  static async start(): Promise<RestartablePostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'aerial-pg-'));
    if (isRoot()) {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
      chownSync(dir, uid, gid);
    }
    asPostgres(pgBin('initdb'), ['-D', join(dir, 'data'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
    const pg = new RestartablePostgres(dir, await freePort());
    pg.up();
    return pg;
  }

  /** Starts the server and waits until it accepts connections. */
  up(): void {
    asPostgres(pgBin('pg_ctl'), [
      '-D',
      join(this.dir, 'data'),
      '-o',
      `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      '-l',
      join(this.dir, 'log'),
      '-w',
      'start',
    ]);
  }

  /** Stops it at once (-m fast: connections are cut, as in a crash or failover). */
  down(): void {
    asPostgres(pgBin('pg_ctl'), ['-D', join(this.dir, 'data'), '-m', 'fast', '-w', 'stop']);
  }

  close(): void {
    try {
      this.down();
    } catch {
      // already down
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A Mosquitto broker of the test's own, persistent (queued QoS 1 messages survive a restart). */
export class RestartableMosquitto {
  private child: ChildProcess | undefined;

  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<RestartableMosquitto> {
    const dir = mkdtempSync(join(tmpdir(), 'aerial-mosquitto-'));
    const broker = new RestartableMosquitto(dir, await freePort());
    writeFileSync(
      join(dir, 'mosquitto.conf'),
      [
        `listener ${broker.port} 127.0.0.1`,
        'allow_anonymous true',
        'persistence true',
        `persistence_location ${dir}/`,
        // Running as root, Mosquitto would switch to its own user, who cannot write here.
        ...(isRoot() ? ['user root'] : []),
      ].join('\n') + '\n',
    );
    await broker.up();
    return broker;
  }

  async up(): Promise<void> {
    this.child = spawn('mosquitto', ['-c', join(this.dir, 'mosquitto.conf')], { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    for (;;) {
      const open = await new Promise<boolean>((resolve) => {
        const socket = connect(this.port, '127.0.0.1');
        socket.once('connect', () => (socket.destroy(), resolve(true)));
        socket.once('error', () => resolve(false));
      });
      if (open) return;
      if (Date.now() > deadline) throw new Error(`mosquitto did not listen on ${this.port}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Stops it the way a service restart does (SIGTERM: it saves its persistent state). */
  async down(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }

  async close(): Promise<void> {
    await this.down();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** An MQTT broker a test can stop and start again on the same port. */
export interface RestartableBroker {
  readonly name: string;
  readonly url: string;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

/** The Hub's embedded broker (aedes, level persistence), restarted on the same ports, as a Hub restart does. */
export async function restartableAedes(): Promise<RestartableBroker> {
  const dir = mkdtempSync(join(tmpdir(), 'aerial-aedes-'));
  let broker: Awaited<ReturnType<typeof startEmbeddedBroker>> | undefined = await startEmbeddedBroker(dir);
  const url = broker.url;
  const port = Number(new URL(broker.url).port);
  const wsPort = Number(new URL(broker.wsUrl).port);
  return {
    name: 'aedes',
    url,
    down: async () => {
      await broker?.stop();
      broker = undefined;
    },
    up: async () => {
      broker = await startEmbeddedBroker(dir, { port, wsPort });
    },
    close: async () => {
      await broker?.stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function restartableMosquitto(): Promise<RestartableBroker> {
  const broker = await RestartableMosquitto.start();
  return {
    name: 'Mosquitto',
    url: broker.url,
    down: () => broker.down(),
    up: () => broker.up(),
    close: () => broker.close(),
  };
}
