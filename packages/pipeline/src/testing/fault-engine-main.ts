import { DEFAULT_ENVIRONMENTS } from '@aerial/contracts';
import { join } from 'node:path';
import { z } from 'zod';
import { publishEngineEvents } from '../engine/engine-events';
import { SfnApiServer } from '../engine/sfn-api-server';
import { connectEventPublisher, createLogger, loadEnvironment, loadProcessConfig } from '@aerial/runtime';
import { LocalFolderStore } from '@aerial/runtime';
import { fakeStages, parseFaultPlan } from './faults';
import { inProcessEngine } from './in-process-engine';

/**
 * The local engine as its own process, with the fake stages of `faults.ts`, for the fault suite's
 * "engine killed mid-job" test: `node fault-engine-main.js <dir>`, the fault plan in
 * AERIAL_FAULT_PLAN. Prints `engine listening on <url>`, then each event as `event <json>` and each
 * stage run as `run <jobId> <stage>`. Executions and objects live under `<dir>`, so a second process
 * on the same folder takes over what the first left running. With MQTT_URL (a Hub started it as
 * its AERIAL_ENGINE_COMMAND) it also publishes the events there, as `aerial engine` does, so the
 * Hub's page shows the faults live.
 */
async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: fault-engine-main <dir>');
  const config = loadProcessConfig();
  const { AERIAL_FAULT_PLAN } = loadEnvironment(
    z.object({ AERIAL_FAULT_PLAN: z.string().optional() }),
    'fault engine configuration',
  );
  const store = new LocalFolderStore(join(dir, 'objects'));
  const environment = DEFAULT_ENVIRONMENTS.dev;
  const handlers = fakeStages({
    plan: parseFaultPlan(AERIAL_FAULT_PLAN),
    runLog: join(dir, 'runs.log'),
  });
  const engine = inProcessEngine({
    executions: join(dir, 'executions'),
    store,
    handlers,
    environment,
    retryDelayScale: 0.001,
    stopPollMs: 50,
  });
  engine.on('event', (event) => process.stdout.write(`event ${JSON.stringify(event)}\n`));
  const publisher = await connectEventPublisher(config.MQTT_URL);
  if (publisher)
    publishEngineEvents(engine, publisher, createLogger({ name: 'fault engine', level: config.LOG_LEVEL }));
  const server = new SfnApiServer(engine);
  process.stdout.write(`engine listening on ${await server.listen()}\n`);
  await new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()));
  await server.close();
  await publisher?.close();
  // Executions still running are left RUNNING, for the next process on this folder to take over.
  process.exit(0);
}

main().catch((e: unknown) => {
  process.stderr.write(`fault engine: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
