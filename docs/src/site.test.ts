import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatedMarkdown, writeGeneratedPages } from './site';
import { headingSlug } from './slug';

describe('writeGeneratedPages', () => {
  let content: string;
  beforeEach(() => {
    content = join(mkdtempSync(join(tmpdir(), 'aerial-docs-')), 'content');
    mkdirSync(join(content, 'decisions'), { recursive: true });
    writeFileSync(join(content, 'index.md'), '# Home');
  });
  afterEach(() => rmSync(join(content, '..'), { recursive: true, force: true }));

  const graph = { source: 'nx graph', output: 'packages.html', title: 'Package graph', html: '<h1>Packages</h1>' };

  test('writes each generated page, and the contracts reference, as Markdown VitePress builds', () => {
    const pages = writeGeneratedPages(content, [graph]);
    expect(pages.map((p) => p.output)).toEqual(['reference/contracts.html', 'packages.html']);
    const markdown = readFileSync(join(content, 'packages.md'), 'utf8');
    expect(markdown).toMatch(/^---\ntitle: "Package graph"\n/);
    expect(markdown).toContain('<div class="generated-page" v-pre>\n<h1>Packages</h1>\n</div>');
    const contracts = readFileSync(join(content, 'reference', 'contracts.md'), 'utf8');
    expect(contracts).toContain(
      '<h2 id="JobRequest" tabindex="-1">JobRequest <a class="header-anchor" href="#JobRequest" aria-label="Permalink to this heading">&#8203;</a></h2>',
    );
    expect(contracts).toContain('&quot;Aerial.BudgetExceeded&quot;');
  });

  test('rewrites the generated folders on every build: a page no longer generated goes', () => {
    writeGeneratedPages(content, [{ ...graph, output: 'reference/old.html' }]);
    writeGeneratedPages(content, [graph]);
    expect(existsSync(join(content, 'reference', 'old.md'))).toBe(false);
    expect(existsSync(join(content, 'decisions'))).toBe(true);
  });

  test('refuses a generated page that would replace a hand-written one, or land outside the generated folders', () => {
    writeFileSync(join(content, 'decisions', 'index.md'), '# Decisions');
    expect(() => writeGeneratedPages(content, [{ ...graph, output: 'decisions/index.html' }])).toThrow(
      /two pages would be written to decisions\/index.html/,
    );
    expect(() => writeGeneratedPages(content, [graph, graph])).toThrow(/two pages would be written to packages.html/);
    expect(() => writeGeneratedPages(content, [{ ...graph, output: 'decisions/x.html' }])).toThrow(
      /decisions\/x.html: generated pages go under reference, packages.md, _generated/,
    );
  });

  test('refuses a site without an index page', () => {
    rmSync(join(content, 'index.md'));
    expect(() => writeGeneratedPages(content, [])).toThrow(/has no index.md/);
  });

  test('keeps the HTML one block (no blank line) and out of reach of Vue templates', () => {
    const markdown = generatedMarkdown({
      ...graph,
      html: '<pre><code>{{ not a template }}</code></pre>\n\n<p>next</p>',
    });
    expect(markdown).toContain('v-pre>\n<pre><code>{{ not a template }}</code></pre>\n<p>next</p>\n</div>');
  });
});

describe('headingSlug', () => {
  test("gives GitHub's anchors, so a link to a heading works on GitHub and on the site", () => {
    expect(headingSlug("The Hub's API (v1)")).toBe('the-hubs-api-v1');
    expect(headingSlug('0008 Map products, restated: two doors')).toBe('0008-map-products-restated-two-doors');
  });
});
