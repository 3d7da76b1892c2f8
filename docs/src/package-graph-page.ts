import { escapeHtml } from './html';
import { layeredLayout, type RoutedEdge } from './layered-layout';
import type { Page } from './site';
import type { DependencyKind, WorkspaceGraph, WorkspacePackage } from './workspace-graph';

/** How each kind of edge is drawn, and what the legend says about it. */
const EDGE_STYLE: Record<DependencyKind, { stroke: string; dash?: string; legend: string }> = {
  production: { stroke: '#24527a', legend: 'depends on (package.json <code>dependencies</code>)' },
  development: {
    stroke: '#7a8793',
    dash: '6 4',
    legend: 'only its tests and tools use it (<code>devDependencies</code>)',
  },
  implicit: {
    stroke: '#c08a2b',
    dash: '2 4',
    legend: 'not imported, but affected by it (Nx <code>implicitDependencies</code>)',
  },
  undeclared: {
    stroke: '#b42318',
    legend: 'imported without a declaration in package.json (fix the package.json)',
  },
};

/** Box fill by the folder a package lives in. */
const FOLDER_FILL: Record<string, string> = { packages: '#e8f1fb', apps: '#e9f6ec', tools: '#f6f1e7' };

const NAME_FONT_PX = 14;
const PATH_FONT_PX = 11;

/** The package graph as an SVG drawing: no script, no external resource. */
export function packageGraphSvg(graph: WorkspaceGraph): string {
  const nodes = graph.packages.map((p) => ({
    id: p.project,
    // Width from the longer of the two lines (system-ui averages about 0.6 em a character).
    width: Math.ceil(Math.max(p.project.length * NAME_FONT_PX * 0.62, p.root.length * PATH_FONT_PX * 0.6) + 24),
  }));
  const layout = layeredLayout(nodes, graph.edges);
  const kindOf = new Map(graph.edges.map((e) => [`${e.from}→${e.to}`, e.kind]));
  const implied = impliedEdges(graph);
  const byProject = new Map(graph.packages.map((p) => [p.project, p]));

  const markers = (Object.keys(EDGE_STYLE) as DependencyKind[]).map(
    (kind) =>
      `<marker id="arrow-${kind}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="${EDGE_STYLE[kind].stroke}"/></marker>`,
  );
  // Production edges last: drawn on top of the lighter ones.
  const drawOrder: DependencyKind[] = ['implicit', 'development', 'undeclared', 'production'];
  const edges = [...layout.edges]
    .map((e) => ({ ...e, kind: kindOf.get(`${e.from}→${e.to}`) as DependencyKind }))
    .sort((a, b) => drawOrder.indexOf(a.kind) - drawOrder.indexOf(b.kind))
    .map((e) => {
      const style = EDGE_STYLE[e.kind];
      const from = byProject.get(e.from) as WorkspacePackage;
      const to = byProject.get(e.to) as WorkspacePackage;
      // An edge another path already implies is drawn faint: the eye follows the direct structure.
      const faint = implied.has(`${e.from}→${e.to}`);
      const title = `${from.name} → ${to.name} (${e.kind}${faint ? ', also through another package' : ''})`;
      return `<path class="edge" data-from="${escapeHtml(e.from)}" data-to="${escapeHtml(e.to)}" data-kind="${e.kind}" d="${pathData(e)}" fill="none" stroke="${style.stroke}" stroke-width="${faint ? 1 : 1.6}"${faint ? ' stroke-opacity="0.3"' : ''}${style.dash ? ` stroke-dasharray="${style.dash}"` : ''} marker-end="url(#arrow-${e.kind})"><title>${escapeHtml(title)}</title></path>`;
    });
  const boxes = layout.nodes.map((n) => {
    const p = byProject.get(n.id) as WorkspacePackage;
    const fill = FOLDER_FILL[p.root.split('/')[0] as string] ?? '#f0eef6';
    const cx = n.x + n.width / 2;
    return [
      `<g class="package" data-package="${escapeHtml(p.name)}" data-project="${escapeHtml(p.project)}">`,
      `<title>${escapeHtml(`${p.name}: ${p.description}`)}</title>`,
      `<rect x="${n.x}" y="${n.y}" width="${n.width}" height="${n.height}" rx="6" fill="${fill}" stroke="#5b6b7a"/>`,
      `<text x="${cx}" y="${n.y + 19}" text-anchor="middle" font-size="${NAME_FONT_PX}" font-weight="600">${escapeHtml(p.project)}</text>`,
      `<text x="${cx}" y="${n.y + 35}" text-anchor="middle" font-size="${PATH_FONT_PX}" fill="#57606a">${escapeHtml(p.root)}</text>`,
      '</g>',
    ].join('');
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="package-graph" viewBox="0 0 ${layout.width} ${layout.height}" width="${layout.width}" height="${layout.height}" role="img" aria-label="Workspace packages and their dependencies" font-family="system-ui, sans-serif" style="max-width:100%;height:auto">`,
    `<defs>${markers.join('')}</defs>`,
    ...edges,
    ...boxes,
    '</svg>',
  ].join('\n');
}

/** Edges `a→b` where `b` is also reached from `a` through another of `a`'s dependencies. */
export function impliedEdges(graph: WorkspaceGraph): Set<string> {
  const out = new Map<string, string[]>();
  for (const e of graph.edges) out.set(e.from, [...(out.get(e.from) ?? []), e.to]);
  const reach = new Map<string, Set<string>>();
  const reachable = (id: string): Set<string> => {
    let found = reach.get(id);
    if (!found) {
      found = new Set();
      reach.set(id, found);
      for (const next of out.get(id) ?? []) for (const r of [next, ...reachable(next)]) found.add(r);
    }
    return found;
  };
  return new Set(
    graph.edges
      .filter((e) => (out.get(e.from) ?? []).some((via) => via !== e.to && reachable(via).has(e.to)))
      .map((e) => `${e.from}→${e.to}`),
  );
}

/** Vertical-tangent curves between rows, straight drops through a row a long edge skips. */
function pathData(edge: RoutedEdge): string {
  const [first, ...rest] = edge.points;
  if (!first) return '';
  const f = (n: number) => Math.round(n * 10) / 10;
  let d = `M${f(first[0])},${f(first[1])}`;
  let [px, py] = first;
  rest.forEach(([x, y], i) => {
    // Points come in pairs through each skipped row (top, bottom): the drop between them is straight.
    if (i % 2 === 1 && x === px) d += `L${f(x)},${f(y)}`;
    else {
      const mid = (py + y) / 2;
      d += `C${f(px)},${f(mid)} ${f(x)},${f(mid)} ${f(x)},${f(y)}`;
    }
    [px, py] = [x, y];
  });
  return d;
}

function legendLine(stroke: string, dash?: string, faint = false): string {
  return `<svg width="44" height="10" aria-hidden="true"><line x1="0" y1="5" x2="44" y2="5" stroke="${stroke}" stroke-width="${faint ? 1 : 2}"${faint ? ' stroke-opacity="0.3"' : ''}${dash ? ` stroke-dasharray="${dash}"` : ''}/></svg>`;
}

/** The generated page: the drawing, its legend, and a table of every package. */
export function packageGraphPage(graph: WorkspaceGraph): Page {
  const dependsOn = (p: WorkspacePackage, kind: DependencyKind) =>
    graph.edges
      .filter((e) => e.from === p.project && e.kind === kind)
      .map((e) => escapeHtml(e.to))
      .join(', ');
  const rows = graph.packages.map(
    (p) =>
      `<tr><td><code>${escapeHtml(p.root)}</code></td><td><code>${escapeHtml(p.name)}</code></td><td>${escapeHtml(p.description)}</td><td>${dependsOn(p, 'production') || '—'}</td><td>${[dependsOn(p, 'development'), dependsOn(p, 'implicit') && `<em>implicit:</em> ${dependsOn(p, 'implicit')}`, dependsOn(p, 'undeclared') && `<strong>undeclared:</strong> ${dependsOn(p, 'undeclared')}`].filter(Boolean).join('; ') || '—'}</td></tr>`,
  );
  const legend = (Object.keys(EDGE_STYLE) as DependencyKind[])
    .filter((kind) => graph.edges.some((e) => e.kind === kind))
    .map((kind) => {
      const s = EDGE_STYLE[kind];
      return `<li>${legendLine(s.stroke, s.dash)} ${s.legend}</li>`;
    })
    .concat(
      `<li>${legendLine(EDGE_STYLE.production.stroke, undefined, true)} faint: also reached through another package</li>`,
    );
  const html = [
    '<h1>Package graph</h1>',
    `<p>The ${graph.packages.length} workspace packages and their ${graph.edges.length} dependencies, drawn when the site was built from <code>nx graph</code> (the graph Nx uses to decide what a change affects) and each package's <code>package.json</code>. An arrow points from a package to what it depends on; nothing points up. Hover a box for the package's description. <a href="architecture.html#packages">Architecture</a> explains the direction; <a href="decisions/0009-package-split.html">decision 0009</a> why the packages are split where they are.</p>`,
    packageGraphSvg(graph),
    `<ul class="legend">${legend.join('')}</ul>`,
    '<h2 id="packages">Packages</h2>',
    '<table><thead><tr><th>path</th><th>package</th><th>what it holds</th><th>depends on</th><th>also (tests, tools, implicit)</th></tr></thead>',
    `<tbody>${rows.join('\n')}</tbody></table>`,
  ].join('\n');
  return { source: 'nx graph', output: 'packages.html', title: 'Package graph', html };
}
