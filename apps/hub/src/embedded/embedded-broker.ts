import { mkdir } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { WebSocketServer, createWebSocketStream } from 'ws';

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
  options: { port?: number; wsPort?: number } = {},
): Promise<EmbeddedBroker> {
  const { Aedes } = await import('aedes');
  const { Level } = await import('level');
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS without types
  const levelPersistence = require('aedes-persistence-level') as (db: unknown) => unknown;
  const dir = join(dataDir, 'mqtt');
  await mkdir(dir, { recursive: true });
  const db = new Level(dir);
  const broker = await Aedes.createBroker({ persistence: levelPersistence(db) });
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

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
}
