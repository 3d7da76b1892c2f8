import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brokenLinks } from './check-links';
import { benchmarkMarkdown, readBenchReport, view3dMarkdown } from './home-page';
import { packageGraphPage } from './package-graph-page';
import { referencePages } from './reference';
import { writeGeneratedPages } from './site';
import { readWorkspaceGraph } from './workspace-graph';

/**
 * `node lib/build-site.js [--base /path/]`: writes the generated pages and the home page's
 * fragments into content/, has VitePress build the site into dist/, then checks every link of
 * what it built. `--base` is the path the site is served under (GitHub Pages: `/<repository>/`).
 */
async function main(args: readonly string[]): Promise<void> {
  const baseAt = args.indexOf('--base');
  const base = baseAt >= 0 ? normalizeBase(args[baseAt + 1]) : '/';
  const root = join(__dirname, '..');
  const repoRoot = join(root, '..');
  const content = join(root, 'content');
  const dist = join(root, 'dist');

  const graph = readWorkspaceGraph(repoRoot);
  const pages = writeGeneratedPages(content, [packageGraphPage(graph), ...referencePages(repoRoot)]);
  const fragments = join(content, '_generated');
  mkdirSync(fragments, { recursive: true });
  writeFileSync(join(fragments, 'benchmarks.md'), benchmarkMarkdown(readBenchReport(join(root, 'bench-report.json'))));
  writeFileSync(join(fragments, 'view-3d.md'), view3dMarkdown(join(content, 'public')));

  // VitePress is an ES module: loaded with import(), which this CommonJS build keeps as is.
  const { build } = await import('vitepress');
  await build(root, { base });
  const broken = brokenLinks(dist, base);
  if (broken.length)
    throw new Error(`links to no page of the built site (fix or remove them):\n  ${broken.join('\n  ')}`);
  process.stdout.write(
    `docs: built dist/ under ${base} (${pages.length} generated pages; package graph: ${graph.packages.length} packages, ${graph.edges.length} dependencies); every internal link resolves\n`,
  );
}

function normalizeBase(value: string | undefined): string {
  if (!value) throw new Error('--base needs a path, such as /aerial-platform/');
  return `/${value.replace(/^\/+|\/+$/g, '')}/`.replace(/^\/\/$/, '/');
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
