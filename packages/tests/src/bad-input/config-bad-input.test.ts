import { AerialError, loadRuntimeConfig } from '@aerial/contracts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configCases, hubStartupCases } from './config-cases';
import { cleanEnv, HUB_MAIN, run } from '../test-support/programs';

/** Lines Node prints on its own (the AWS SDK's notice about Node versions), not the program's. */
const NODE_NOTICES =
  /Warning|node --trace|upgrade to node|a\.co\/|versions published|will require node|To continue receiving|^\s*$/;

/**
 * The corpus's environment configurations: loadRuntimeConfig (what every process calls first)
 * refuses each with Aerial.InvalidInput on one line naming the variable; the Hub, started with
 * some of them, exits 1 with that line before it opens a database or a port.
 */
describe('bad input: environment configuration', () => {
  test.each(configCases.map((c) => [c.id, c] as const))('%s', (_, c) => {
    let caught: unknown;
    try {
      loadRuntimeConfig(c.env);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(AerialError);
    const error = caught as AerialError;
    expect(error.name).toBe('Aerial.InvalidInput');
    expect(error.reason).toMatch(/^invalid environment configuration: /);
    expect(error.reason).toMatch(c.message);
    expect(error.message).not.toMatch(/\n/);
    // Only the variables given are named.
    for (const named of error.reason.matchAll(/([A-Z_]{3,}): /g)) expect(Object.keys(c.env)).toContain(named[1]);
  });

  test.each(hubStartupCases)('the Hub refuses to start with %s, in one line', async (id) => {
    const c = configCases.find((x) => x.id === id)!;
    const dataDir = mkdtempSync(join(tmpdir(), 'aerial-bad-config-'));
    try {
      const { code, stderr } = await run(HUB_MAIN, [], cleanEnv({ AERIAL_DATA_DIR: dataDir, ...c.env }), 30_000);
      const lines = stderr.split('\n').filter((l) => !NODE_NOTICES.test(l));
      expect({ code, lines }).toEqual({ code: 1, lines: [expect.stringMatching(c.message)] });
      expect(lines[0]).toMatch(/^hub: Aerial\.InvalidInput: invalid environment configuration: /);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
