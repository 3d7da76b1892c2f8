import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CliContext, cliCases, cliJobCases } from './cli-cases';
import { goodPhotos } from './photos';
import { cleanEnv, CLI_MAIN, run } from '../test-support/programs';

/**
 * The corpus's command lines through the built `aerial` CLI, as a user runs it: each refusal is
 * exit code 2 with a one-line `aerial: Aerial.InvalidInput: …` message and no job; input that only
 * Ingest can judge starts a job that ends FAILED (exit 1) with the reason.
 */
describe('bad input: the aerial CLI', () => {
  let root: string;
  let ctx: CliContext;
  let n = 0;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'aerial-bad-cli-'));
    const survey = join(root, 'survey');
    const good = await goodPhotos(survey);
    mkdirSync(join(root, 'inputs'));
    ctx = {
      photos: join(survey, 'images'),
      good,
      file: (name, bytes) => {
        const dir = join(root, 'inputs', String(++n));
        mkdirSync(dir);
        writeFileSync(join(dir, name), bytes);
        return join(dir, name);
      },
    };
  }, 60_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const refusals = () => join(root, 'refusals');

  test.each(cliCases.map((c) => [c.id, c] as const))('%s', async (_, c) => {
    const { code, stderr } = await run(
      CLI_MAIN,
      await c.args(ctx),
      cleanEnv({ AERIAL_DATA_DIR: refusals(), ...c.env }),
    );
    expect({ code, stderr }).toEqual({ code: c.expect.code, stderr: expect.stringMatching(c.expect.stderr) });
    // One line, named: not a stack trace or a schema dump.
    expect(
      stderr
        .trim()
        .split('\n')
        .filter(
          (l) =>
            !/Warning|node --trace|upgrade to node|^$|AWS|a\.co|versions published|require node|To continue/.test(l),
        ),
    ).toHaveLength(1);
    expect(stderr).toMatch(/^aerial: Aerial\.InvalidInput: /m);
  });

  test('none of the refused command lines created a job', async () => {
    const { code, stdout } = await run(CLI_MAIN, ['jobs'], cleanEnv({ AERIAL_DATA_DIR: refusals() }));
    expect({ code, stdout }).toEqual({ code: 0, stdout: expect.stringMatching(/^no jobs yet/) });
  });

  test.each(cliJobCases.map((c) => [c.id, c] as const))(
    '%s: the job fails with the reason, exit 1',
    async (_, c) => {
      const { code, stdout } = await run(
        CLI_MAIN,
        ['process', await c.input(ctx), '--preset', 'survey'],
        cleanEnv({ AERIAL_DATA_DIR: join(root, `jobs-${c.id}`) }),
        120_000,
      );
      expect({ code, stdout }).toEqual({ code: 1, stdout: expect.stringMatching(c.expect.stdout) });
      expect(stdout).not.toMatch(/Published/);
    },
    150_000,
  );
});
