import { parseNxGraph, workspaceGraph, type NxGraphFile } from './workspace-graph';

const nx: NxGraphFile = {
  graph: {
    nodes: {
      base: { name: 'base', data: { root: 'packages/base' } },
      app: { name: 'app', data: { root: 'apps/app' } },
      site: { name: 'site', data: { root: 'site' } },
    },
    dependencies: {
      base: [],
      app: [
        { source: 'app', target: 'base', type: 'static' },
        { source: 'app', target: 'base', type: 'dynamic' },
        { source: 'app', target: 'npm:zod', type: 'static' },
      ],
      site: [
        { source: 'site', target: 'app', type: 'implicit' },
        { source: 'site', target: 'base', type: 'static' },
      ],
    },
  },
};
const manifests: Record<string, unknown> = {
  'packages/base': { name: '@x/base', description: 'the base' },
  'apps/app': { name: '@x/app', description: 'the app', dependencies: { '@x/base': 'workspace:^', zod: '^4' } },
  site: { name: '@x/site', devDependencies: { '@x/base': 'workspace:^' } },
};

describe('workspaceGraph', () => {
  const graph = workspaceGraph(nx, (root) => manifests[root]);

  test('names each project by its package.json, sorted by folder', () => {
    expect(graph.packages).toEqual([
      { project: 'app', name: '@x/app', root: 'apps/app', description: 'the app' },
      { project: 'base', name: '@x/base', root: 'packages/base', description: 'the base' },
      { project: 'site', name: '@x/site', root: 'site', description: '' },
    ]);
  });

  test("draws Nx's workspace edges once per pair, labelled by how package.json declares them", () => {
    expect(graph.edges).toEqual([
      { from: 'app', to: 'base', kind: 'production' },
      { from: 'site', to: 'app', kind: 'implicit' },
      { from: 'site', to: 'base', kind: 'development' },
    ]);
  });

  test('an import Nx found that no package.json declares is drawn as undeclared', () => {
    const undeclared = workspaceGraph(nx, (root) => (root === 'apps/app' ? { name: '@x/app' } : manifests[root]));
    expect(undeclared.edges).toContainEqual({ from: 'app', to: 'base', kind: 'undeclared' });
  });
});

describe('parseNxGraph', () => {
  test('names what is missing when Nx writes another shape', () => {
    expect(() => parseNxGraph({ nodes: {} }, 'graph.json')).toThrow(/graph.json is not the project graph .*graph/);
  });
});
