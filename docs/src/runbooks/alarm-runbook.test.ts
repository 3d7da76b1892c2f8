import { AERIAL_ALARMS } from '@aerial/infra';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// The infra's environment test checks that the synthesized stacks create exactly AERIAL_ALARMS;
// this one that the runbook documents each of them, and nothing else.
const runbook = readFileSync(join(__dirname, '..', '..', 'content', 'runbooks', 'alarms.md'), 'utf8');
const sections = new Map(
  runbook
    .split(/^## /m)
    .slice(1)
    .map((s) => [s.slice(0, s.indexOf('\n')).trim(), s] as const),
);

describe('the alarm runbook', () => {
  test.each(Object.entries(AERIAL_ALARMS))('documents %s (%s): meaning, what to check, remedy', (id, severity) => {
    const section = sections.get(id);
    expect(section).toBeDefined();
    expect(section).toContain(`Severity: ${severity}.`);
    for (const part of ['Meaning', 'Check', 'Remedy'])
      expect(section).toMatch(new RegExp(`\\*\\*${part}\\.\\*\\* \\S.{40,}`));
  });

  test('has no section for an alarm the infra does not create', () => {
    expect([...sections.keys()].sort()).toEqual(Object.keys(AERIAL_ALARMS).sort());
  });
});
