import { DEFAULT_ENVIRONMENTS } from '@aerial/contracts';
import { join } from 'node:path';
import { SfnApiServer } from '../engine/sfn-api-server';
import { MqttEventPublisher } from '@aerial/runtime';
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
  const store = new LocalFolderStore(join(dir, 'objects'));
  const environment = DEFAULT_ENVIRONMENTS.dev;
  const handlers = fakeStages({
    plan: parseFaultPlan(process.env.AERIAL_FAULT_PLAN),
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
  const publisher = process.env.MQTT_URL ? await MqttEventPublisher.connect(process.env.MQTT_URL) : undefined;
  engine.on('event', (event) => {
    process.stdout.write(`event ${JSON.stringify(event)}\n`);
    publisher?.publish(event).catch((e: unknown) => process.stderr.write(`fault engine: ${(e as Error).message}\n`));
  });
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
