import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { packageGraphPage } from './package-graph-page';
import { readWorkspaceGraph } from './workspace-graph';

/**
 * The page the docs build writes, from this repository's real Nx graph, checked against the
 * package.json files read directly: every workspace package is a box, every declared dependency an
 * arrow. Slow (it runs `nx graph`), so one build serves every assertion.
 */
describe('the package graph of this workspace', () => {
  const root = join(__dirname, '..', '..');
  const manifests = (
    parse(readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8')) as { packages: string[] }
  ).packages.map(
    (dir) =>
      JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as {
        name: string;
        description?: string;
        dependencies?: Record<string, string>;
        devDependencies?: Record<string, string>;
        peerDependencies?: Record<string, string>;
        nx?: { name?: string; implicitDependencies?: string[] };
      },
  );
  const projectOf = new Map(manifests.map((m) => [m.name, m.nx?.name ?? m.name]));
  let html: string;
  beforeAll(() => {
    html = packageGraphPage(readWorkspaceGraph(root)).html;
  }, 120_000);

  test('every workspace package is drawn, with its description', () => {
    expect(manifests.length).toBeGreaterThan(10);
    for (const m of manifests) {
      expect(html).toContain(`data-package="${m.name}" data-project="${projectOf.get(m.name)}"`);
      expect(html).toContain(`<title>${m.name}: ${m.description ?? ''}</title>`);
    }
  });

  test('every dependency a package.json declares is drawn as an arrow', () => {
    const declared = manifests.flatMap((m) => {
      const from = projectOf.get(m.name) as string;
      const workspace = Object.entries({ ...m.dependencies, ...m.devDependencies, ...m.peerDependencies })
        .filter(([, range]) => range.startsWith('workspace:'))
        .map(([dep]) => projectOf.get(dep) as string);
      return [...new Set([...workspace, ...(m.nx?.implicitDependencies ?? [])])].map((to) => ({ from, to }));
    });
    expect(declared.length).toBeGreaterThan(20);
    const drawn = [...html.matchAll(/class="edge" data-from="([^"]+)" data-to="([^"]+)"/g)].map(([, from, to]) => ({
      from,
      to,
    }));
    expect(drawn).toEqual(expect.arrayContaining(declared));
    expect(drawn).toHaveLength(declared.length);
    expect(html).not.toContain('data-kind="undeclared"');
  });
});
