import { join } from 'node:path';
import { packageGraphPage } from './package-graph-page';
import { buildSite } from './site';
import { readWorkspaceGraph } from './workspace-graph';

const root = join(__dirname, '..');
const graph = readWorkspaceGraph(join(root, '..'));
const pages = buildSite(join(root, 'content'), join(root, 'dist'), [packageGraphPage(graph)]);
process.stdout.write(
  `docs: wrote ${pages.length} pages to dist/ (package graph: ${graph.packages.length} packages, ${graph.edges.length} dependencies)\n`,
);
