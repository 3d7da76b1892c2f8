import { mkdir } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { WebSocketServer, createWebSocketStream } from 'ws';

/** A broker user: its password and the topic filters it may publish and subscribe to. */
export interface BrokerUser {
  readonly password: string;
  readonly publish: readonly string[];
  readonly subscribe: readonly string[];
}

/** True when `topic` (or a subscription filter) falls under `filter` (MQTT `+` and `#`). */
export function topicAllowed(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
    // A subscription's own wildcard is allowed only where the filter has one too.
    if ((t[i] === '+' || t[i] === '#') && f[i] !== '+') return false;
  }
  return f.length === t.length;
}

export interface EmbeddedBroker {
  /** `mqtt://127.0.0.1:<port>` */
  readonly url: string;
  /** `ws://127.0.0.1:<port>` for browsers (MQTT over WebSocket). */
  readonly wsUrl: string;
  stop(): Promise<void>;
}

/**
 * An MQTT 3.1.1 broker in this process (aedes) on TCP and WebSocket, with level persistence so
 * that persistent sessions and their queued QoS 1 messages survive a restart (the in-memory
 * default forgets them).
 */
export async function startEmbeddedBroker(
  dataDir: string,
  options: { port?: number; wsPort?: number; users?: Record<string, BrokerUser> } = {},
): Promise<EmbeddedBroker> {
  const { Aedes } = await import('aedes');
  const { Level } = await import('level');
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS without types
  const levelPersistence = require('aedes-persistence-level') as (db: unknown) => unknown;
  const dir = join(dataDir, 'mqtt');
  await mkdir(dir, { recursive: true });
  const db = new Level(dir);
  const users = options.users;
  const userOf = new WeakMap<object, BrokerUser>();
  const broker = await Aedes.createBroker({
    persistence: inArrivalOrder(levelPersistence(db) as QueuingPersistence),
    ...(users
      ? {
          // Without credentials nobody connects; each user publishes and subscribes where its role says.
          authenticate: (client, username, password, done) => {
            const user = username !== undefined ? users[username] : undefined;
            const ok = !!user && !!password && password.toString('utf8') === user.password;
            if (ok) userOf.set(client, user);
            done(ok ? null : Object.assign(new Error('bad user name or password'), { returnCode: 4 }), ok);
          },
          authorizePublish: (client, packet, callback) => {
            const user = client ? userOf.get(client) : undefined;
            callback(
              user?.publish.some((f) => topicAllowed(f, packet.topic))
                ? null
                : new Error(`may not publish to ${packet.topic}`),
            );
          },
          // A refused subscription is answered with the failure code (0x80), not a disconnect.
          authorizeSubscribe: (client, subscription, callback) => {
            const user = userOf.get(client);
            callback(null, user?.subscribe.some((f) => topicAllowed(f, subscription.topic)) ? subscription : null);
          },
        }
      : {}),
  });
  const sockets = new Set<Socket>();
  const tcp = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    broker.handle(socket);
  });
  const port = await listen(tcp, options.port ?? 0);
  const ws = new WebSocketServer({ host: '127.0.0.1', port: options.wsPort ?? 0 });
  await new Promise<void>((resolve, reject) => {
    ws.once('listening', resolve);
    ws.once('error', reject);
  });
  ws.on('connection', (socket, request) => broker.handle(createWebSocketStream(socket), request));
  const wsPort = (ws.address() as { port: number }).port;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${wsPort}`,
    stop: async () => {
      for (const client of ws.clients) client.terminate();
      await new Promise<void>((resolve) => ws.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await db.close();
    },
  };
}

/** The one persistence call aedes makes for every QoS 1/2 publish before delivering it. */
interface QueuingPersistence {
  outgoingEnqueueCombi(subs: unknown, packet: unknown): Promise<unknown>;
}

/**
 * Makes the persistence's queueing of published packets complete in the order the packets arrived.
 * aedes delivers a packet once the persistence has queued it, and drops any packet whose broker
 * counter is below the last one it delivered to that client (its `dedupe`); level writes run on
 * libuv's thread pool and finish in any order, so concurrent publishes overtook each other and ~2 %
 * of a 1k/s stream was dropped (moscajs/aedes#955, reproduced in embedded-broker.test.ts). A
 * retained packet stored while a plain one overtakes it can still be affected; the platform's
 * publishers send one message at a time, which never races.
 */
export function inArrivalOrder<P extends QueuingPersistence>(persistence: P): P {
  const queue = persistence.outgoingEnqueueCombi.bind(persistence);
  let previous: Promise<unknown> = Promise.resolve();
  persistence.outgoingEnqueueCombi = (subs, packet) => {
    const own = queue(subs, packet);
    const ordered = Promise.all([own, previous]).then(() => own);
    previous = ordered.catch(() => undefined);
    return ordered;
  };
  return persistence;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
}
