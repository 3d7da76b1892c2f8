import { parentPort, workerData } from 'node:worker_threads';
import { type CogInit, serveCogWriter } from './cog-writer-thread';

// The thread of cog-writer-thread.ts's `openCogWriter`: one COG writer, fed tiles by the stage.
if (!parentPort) throw new Error('cog-writer-worker.js runs as a worker thread (see cog-writer-thread.ts)');
serveCogWriter(parentPort, workerData as CogInit);
