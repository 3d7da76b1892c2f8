import { join } from 'node:path';
import { packageGraphPage } from './package-graph-page';
import { referencePages } from './reference';
import { buildSite } from './site';
import { readWorkspaceGraph } from './workspace-graph';

const root = join(__dirname, '..');
const repoRoot = join(root, '..');
const graph = readWorkspaceGraph(repoRoot);
const reference = referencePages(repoRoot);
const pages = buildSite(join(root, 'content'), join(root, 'dist'), [packageGraphPage(graph), ...reference]);
process.stdout.write(
  `docs: wrote ${pages.length} pages to dist/ (package graph: ${graph.packages.length} packages, ${graph.edges.length} dependencies; ${reference.length} reference pages)\n`,
);
