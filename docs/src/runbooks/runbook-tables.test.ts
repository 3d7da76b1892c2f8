import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { environmentFigures } from './environment-figures';
import { fillTables, generatedBlocks, markdownTable, runbookTables } from './runbook-tables';

const repoRoot = join(__dirname, '..', '..', '..');
const runbooks = join(repoRoot, 'docs', 'content', 'runbooks');
const pages = readdirSync(runbooks)
  .filter((f) => f.endsWith('.md'))
  .map((file) => ({ file, markdown: readFileSync(join(runbooks, file), 'utf8') }));
const figures = environmentFigures(repoRoot);
const tables = runbookTables(figures);

describe('the runbooks tables of figures that live in code', () => {
  test.each(pages.filter((p) => generatedBlocks(p.markdown).length).map((p) => [p.file, p.markdown]))(
    '%s shows what the code says (node docs/lib/runbooks/write-tables.js rewrites it)',
    (_file, markdown) => {
      expect(fillTables(markdown, tables)).toBe(markdown);
    },
  );

  test('every table is on a runbook page', () => {
    const shown = pages.flatMap((p) => generatedBlocks(p.markdown).map((b) => b.name));
    expect(shown.sort()).toEqual(Object.keys(tables).sort());
  });

  test('the figures are read from the config, not defaults of the reader', () => {
    const prod = figures.find((f) => f.name === 'prod')!;
    const dev = figures.find((f) => f.name === 'dev')!;
    // Prod is the larger environment on every axis the scaling runbook shows.
    expect(prod.batch.cpuMaxVcpus).toBeGreaterThan(dev.batch.cpuMaxVcpus);
    expect(Number(prod.karpenter.cpu)).toBeGreaterThan(Number(dev.karpenter.cpu));
    expect(prod.postgis.instances).toBeGreaterThan(dev.postgis.instances);
    expect(prod.retention.publishedDays).toBeUndefined();
    expect(dev.postgis.backupRetention).toMatch(/^\d+d$/);
    expect(tables.scaling).toContain(`| ${prod.batch.cpuMaxVcpus} `);
  });

  test('a block naming no table is refused', () => {
    expect(() => fillTables('<!-- generated:nope -->\n\nx\n\n<!-- /generated:nope -->', tables)).toThrow(
      /names no table/,
    );
  });

  test('tables are laid out as prettier lays them out', () => {
    expect(markdownTable(['a', 'bb'], [['ccc', 'd']])).toBe('| a   | bb  |\n| --- | --- |\n| ccc | d   |');
  });
});
