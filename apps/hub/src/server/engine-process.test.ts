import { createLogger } from '@aerial/runtime';
import { startEngineProcess } from './engine-process';

/** A one-line Node program as an engine command (no spaces inside: the command is split on them). */
const node = (program: string) => `${process.execPath} -e ${program}`;

describe('the local engine process', () => {
  const log = createLogger({ name: 'hub-test', level: 'fatal' });

  test('resolves with the endpoint the engine prints, and stops it', async () => {
    const engine = await startEngineProcess(
      node('console.log("engine\\x20listening\\x20on\\x20http://127.0.0.1:1234");setInterval(()=>{},1000)'),
      { PATH: process.env.PATH },
      log,
    );
    expect(engine.endpoint).toBe('http://127.0.0.1:1234');
    await engine.stop();
  });

  test('an engine that ends before listening fails start-up with its last words', async () => {
    await expect(
      startEngineProcess(node('console.error("aerial:\\x20bad\\x20config");process.exit(2)'), {}, log),
    ).rejects.toThrow(/exited with code 2 before listening: aerial: bad config/);
  });
});
