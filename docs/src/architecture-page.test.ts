import { DEFAULT_PRESET, PRESETS } from '@aerial/contracts';
import { AERIAL_PIPELINE, stagesFor } from '@aerial/definition';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Marked, type Tokens } from 'marked';

/**
 * The architecture page copies two facts from the pipeline definition into tables a reader can
 * take in at a glance: the stages with how they run, and the stages of each preset. The
 * definition is their home; this test fails when the copies drift from it.
 */
describe('the architecture page agrees with the pipeline definition', () => {
  const markdown = readFileSync(join(__dirname, '..', 'content', 'architecture.md'), 'utf8');
  const tables = new Marked().lexer(markdown).filter((t): t is Tokens.Table => t.type === 'table');
  const tableWith = (firstHeader: string) => {
    const table = tables.find((t) => t.header[0]?.text === firstHeader);
    if (!table) throw new Error(`architecture.md has no table whose first column is "${firstHeader}"`);
    return table.rows.map((row) => row.map((cell) => cell.text));
  };
  const runsAs = { container: 'container', function: 'function' } as const;

  test('the stage table lists every stage in flow order, each with how it runs', () => {
    const rows = tableWith('stage').map((cells) => ({ stage: cells[0], runsAs: cells[cells.length - 1] }));
    expect(rows).toEqual(
      stagesFor(AERIAL_PIPELINE, 'full').map((name) => ({
        stage: name,
        runsAs: runsAs[AERIAL_PIPELINE.stages.find((s) => s.name === name)?.kind ?? 'container'],
      })),
    );
  });

  test("the preset table gives each preset's stages, and marks the default", () => {
    const rows = tableWith('preset').map(([preset = '', stages = '']) => ({
      preset: /`([^`]+)`/.exec(preset)?.[1],
      isDefault: preset.includes('(default)'),
      stages: stages.split(/,\s*/),
    }));
    const byPreset = (a: { preset?: string }, b: { preset?: string }) => (a.preset ?? '').localeCompare(b.preset ?? '');
    expect(rows.sort(byPreset)).toEqual(
      PRESETS.map((preset) => ({
        preset,
        isDefault: preset === DEFAULT_PRESET,
        stages: stagesFor(AERIAL_PIPELINE, preset),
      })).sort(byPreset),
    );
  });
});
