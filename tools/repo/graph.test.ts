import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTempClone, type TempClone } from './temp-clone';
import { readDeclaredGraph } from './workspace-graph';

/**
 * Layers of ARCHITECTURE.md and decision 0009: a package may depend only on packages in lower
 * layers (the docs draw the same graph from Nx on every build).
 */
const LAYER: Record<string, number> = {
  contracts: 0,
  repo: 0,
  'sample-data': 0.5,
  definition: 1,
  runtime: 1,
  'function-stages': 1.5,
  pipeline: 2,
  workers: 3,
  hub: 3,
  // They deploy the apps' images: an implicit dependency on workers (and the hub).
  infra: 3.5,
  kubernetes: 3.5,
  tests: 4,
  bench: 4,
  docs: 5,
};

describe('workspace graph', () => {
  let clone: TempClone;
  beforeAll(() => {
    clone = createTempClone();
  });
  afterAll(() => clone?.remove());

  test('every dependency points one way: contracts ← definition/runtime ← function-stages ← pipeline ← apps/infra/kubernetes ← tests/docs', () => {
    const graph = readDeclaredGraph(clone.dir);
    for (const pkg of graph.values()) {
      expect(LAYER[pkg.name]).toBeDefined();
      for (const dep of pkg.dependsOn) {
        expect({
          edge: `${pkg.name} -> ${dep}`,
          downward: (LAYER[dep] as number) < (LAYER[pkg.name] as number),
        }).toEqual({
          edge: `${pkg.name} -> ${dep}`,
          downward: true,
        });
      }
    }
    // The repository tooling checks the product; no product package may import it.
    for (const pkg of graph.values()) if (pkg.name !== 'docs') expect(pkg.dependsOn).not.toContain('repo');
  });

  test('Nx sees exactly the dependencies the package.json files declare', () => {
    clone.run('node_modules/.bin/nx', ['graph', '--file=graph.json']);
    const nx = JSON.parse(clone.read('graph.json')) as {
      graph: { dependencies: Record<string, { target: string }[]> };
    };
    const declared = readDeclaredGraph(clone.dir);
    for (const pkg of declared.values()) {
      const seen = (nx.graph.dependencies[pkg.name] ?? []).map((d) => d.target).filter((t) => declared.has(t));
      expect({ pkg: pkg.name, deps: [...new Set(seen)].sort() }).toEqual({
        pkg: pkg.name,
        deps: [...pkg.dependsOn].sort(),
      });
    }
  });

  test('internal dependencies use the workspace protocol', () => {
    for (const pkg of readDeclaredGraph(clone.dir).values()) {
      const manifest = JSON.parse(readFileSync(join(clone.dir, pkg.dir, 'package.json'), 'utf8')) as {
        dependencies?: Record<string, string>;
      };
      for (const [dep, range] of Object.entries(manifest.dependencies ?? {})) {
        if (dep.startsWith('@aerial/')) expect({ dep, range }).toEqual({ dep, range: 'workspace:^' });
      }
    }
  });
});
