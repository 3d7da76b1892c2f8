import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NOTEBOOKS } from './notebooks';

// The site shows each notebook as the page rendered from it (node docs/lib/analysis/render-notebooks.js):
// a notebook changed without rendering its page again fails here.
const docs = join(__dirname, '..', '..');

interface Cell {
  cell_type: 'code' | 'markdown' | 'raw';
  source: string | string[];
  metadata: { tags?: string[] };
}

describe.each(NOTEBOOKS.map((name) => [name]))('the %s notebook page', (name) => {
  const notebook = JSON.parse(readFileSync(join(docs, 'notebooks', `${name}.ipynb`), 'utf8')) as { cells: Cell[] };
  const page = readFileSync(join(docs, 'content', 'analysis', `${name}.md`), 'utf8');
  const source = (cell: Cell) => (Array.isArray(cell.source) ? cell.source.join('') : cell.source);

  // Compared paragraph by paragraph with whitespace collapsed: prettier re-wraps the page.
  const flat = (text: string) => text.replace(/\s+/g, ' ').trim();
  const paragraphs = (text: string) =>
    text
      .split(/\n\s*\n/)
      .map(flat)
      .filter(Boolean);

  test('shows every cell of the notebook as it is now', () => {
    const cells = notebook.cells.filter((c) => !c.metadata.tags?.includes('parameters'));
    expect(cells.length).toBeGreaterThan(4);
    const shown = flat(page);
    for (const cell of cells) for (const paragraph of paragraphs(source(cell))) expect(shown).toContain(paragraph);
  });

  test('shows its outputs: the plot, whose file is beside the page', () => {
    const plots = [...page.matchAll(/!\[[^\]]*\]\(([^)]+\.png)\)/g)].map((m) => m[1]!);
    expect(plots.length).toBeGreaterThan(0);
    for (const plot of plots) expect(existsSync(join(docs, 'content', 'analysis', plot))).toBe(true);
  });
});
