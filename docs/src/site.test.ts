import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSite, headingSlug } from './site';

describe('buildSite', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'aerial-docs-'));
    mkdirSync(join(dir, 'content', 'decisions'), { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (file: string, text: string) => writeFileSync(join(dir, 'content', file), text);

  test('renders pages, rewrites .md links, and adds the contracts reference', () => {
    write('index.md', '# Home\n\nSee [the decision](decisions/0001-x.md#why).');
    write('decisions/0001-x.md', '# Decision one\n\n## Why\n\nBecause.');
    const pages = buildSite(join(dir, 'content'), join(dir, 'dist'));

    expect(pages.map((p) => p.output).sort()).toEqual([
      'decisions/0001-x.html',
      'index.html',
      'reference/contracts.html',
    ]);
    const index = readFileSync(join(dir, 'dist', 'index.html'), 'utf8');
    expect(index).toContain('<a href="decisions/0001-x.html#why">the decision</a>');
    expect(index).toContain('<title>Home · Aerial Platform</title>');
    const nested = readFileSync(join(dir, 'dist', 'decisions', '0001-x.html'), 'utf8');
    expect(nested).toContain('<a href="../index.html">Home</a>');
    const reference = readFileSync(join(dir, 'dist', 'reference', 'contracts.html'), 'utf8');
    expect(reference).toContain('<h2 id="JobRequest">JobRequest</h2>');
    expect(reference).toContain('&quot;Aerial.BudgetExceeded&quot;');
  });

  test('writes the generated pages beside the Markdown ones, in the navigation of every page', () => {
    write('index.md', '# Home');
    const generated = {
      source: 'nx graph',
      output: 'packages.html',
      title: 'Package graph',
      html: '<h1>Packages</h1>',
    };
    buildSite(join(dir, 'content'), join(dir, 'dist'), [generated]);
    expect(readFileSync(join(dir, 'dist', 'packages.html'), 'utf8')).toContain('<main><h1>Packages</h1></main>');
    expect(readFileSync(join(dir, 'dist', 'index.html'), 'utf8')).toContain(
      '<a href="./packages.html">Package graph</a>',
    );
  });

  test('refuses two pages written to one file', () => {
    write('packages.md', '# Packages');
    write('index.md', '# Home');
    const generated = { source: 'nx graph', output: 'packages.html', title: 'Package graph', html: '' };
    expect(() => buildSite(join(dir, 'content'), join(dir, 'dist'), [generated])).toThrow(
      /two pages would be written to packages.html/,
    );
  });

  test('refuses a link to a page the site does not have, or to a heading the page lacks', () => {
    write('index.md', '# Home\n\n[ok](decisions/0001-x.md#why), [web](https://example.org/a.md), [gone](gone.md)');
    write(
      'decisions/0001-x.md',
      '# One\n\n## Why\n\n[up](../index.md) [missing](../nowhere.html#top) [here](#why) [not here](#how)',
    );
    expect(() => buildSite(join(dir, 'content'), join(dir, 'dist'))).toThrow(
      'links to no page (fix or remove them): decisions/0001-x.md → ../nowhere.html#top; decisions/0001-x.md → #how; index.md → gone.html',
    );
  });

  test("gives headings GitHub's anchors, numbered when a heading repeats", () => {
    write('index.md', "# Home\n\n## The Hub's API (v1)\n\n## Notes\n\n## Notes");
    const [index] = buildSite(join(dir, 'content'), join(dir, 'dist'));
    expect(index?.html).toContain('<h2 id="the-hubs-api-v1">The Hub&#39;s API (v1)</h2>');
    expect(index?.html).toContain('<h2 id="notes">Notes</h2>\n<h2 id="notes-1">Notes</h2>');
    expect(headingSlug('0008 Map products, restated: two doors')).toBe('0008-map-products-restated-two-doors');
  });

  test('refuses a page without a title', () => {
    write('index.md', 'no heading here');
    expect(() => buildSite(join(dir, 'content'), join(dir, 'dist'))).toThrow(/index.md has no "# title" line/);
  });

  test('refuses a site without an index page', () => {
    write('other.md', '# Other');
    expect(() => buildSite(join(dir, 'content'), join(dir, 'dist'))).toThrow(/has no index.md/);
  });
});
