import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_COMMANDS, USAGE } from './usage';

describe('aerial usage', () => {
  test('lists exactly the commands the CLI dispatches on, one per line at two spaces', () => {
    const listed = [...USAGE.matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1]);
    expect(listed).toEqual([...CLI_COMMANDS]);
    const dispatched = [...readFileSync(join(__dirname, 'main.ts'), 'utf8').matchAll(/case '([a-z]+)':/g)].map(
      (m) => m[1],
    );
    expect(dispatched.sort()).toEqual([...CLI_COMMANDS].sort());
  });
});
