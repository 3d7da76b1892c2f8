import { impliedEdges, packageGraphPage, packageGraphSvg } from './package-graph-page';
import type { WorkspaceGraph } from './workspace-graph';

const graph: WorkspaceGraph = {
  packages: [
    { project: 'app', name: '@x/app', root: 'apps/app', description: 'serves <pages> & "tiles"' },
    { project: 'lib', name: '@x/lib', root: 'packages/lib', description: 'the library' },
    { project: 'base', name: '@x/base', root: 'packages/base', description: 'schemas' },
    { project: 'site', name: '@x/site', root: 'site', description: 'the docs' },
  ],
  edges: [
    { from: 'app', to: 'lib', kind: 'production' },
    { from: 'app', to: 'base', kind: 'production' },
    { from: 'lib', to: 'base', kind: 'production' },
    { from: 'site', to: 'app', kind: 'implicit' },
    { from: 'site', to: 'lib', kind: 'development' },
  ],
};

describe('packageGraphSvg', () => {
  const svg = packageGraphSvg(graph);

  test('draws a box per package with its description, and a path per edge styled by its kind', () => {
    for (const p of graph.packages) expect(svg).toContain(`data-package="${p.name}"`);
    expect(svg).toContain('<title>@x/app: serves &lt;pages&gt; &amp; &quot;tiles&quot;</title>');
    for (const e of graph.edges)
      expect(svg).toMatch(new RegExp(`data-from="${e.from}" data-to="${e.to}" data-kind="${e.kind}" d="M`));
    expect(svg).toMatch(/data-kind="implicit"[^>]*stroke-dasharray="2 4"/);
  });

  test('is self-contained: no script and nothing fetched', () => {
    expect(svg).not.toMatch(/<script|href="http|xlink:href|@import/);
  });

  test('draws faint the edges another path implies', () => {
    // app reaches base through lib, site reaches lib through app.
    expect([...impliedEdges(graph)].sort()).toEqual(['app→base', 'site→lib']);
    expect(svg).toMatch(/data-from="app" data-to="base"[^>]*stroke-opacity="0.3"/);
    expect(svg).not.toMatch(/data-from="lib" data-to="base"[^>]*stroke-opacity/);
  });
});

describe('packageGraphPage', () => {
  test('is a page of its own with the drawing, a legend of the kinds present and a table of packages', () => {
    const page = packageGraphPage(graph);
    expect(page.output).toBe('packages.html');
    expect(page.html).toContain('<svg');
    expect(page.html).toContain('Nx <code>implicitDependencies</code>');
    expect(page.html).not.toContain('without a declaration');
    expect(page.html).toContain(
      '<tr><td><code>site</code></td><td><code>@x/site</code></td><td>the docs</td><td>—</td><td>lib; <em>implicit:</em> app</td></tr>',
    );
  });
});
