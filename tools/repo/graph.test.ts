import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTempClone, type TempClone } from './temp-clone';
import { readDeclaredGraph } from './workspace-graph';

/** Layers of ARCHITECTURE.md: a package may depend only on packages in lower layers. */
const LAYER: Record<string, number> = {
  contracts: 0,
  // The light packages: what the Hub, infra's Lambdas and the cluster manifests need.
  definition: 0.6,
  runtime: 0.6,
  'function-stages': 0.8,
  // The heavy one: image processing, SfM, splats, and the local engine that runs them.
  pipeline: 1,
  workers: 2,
  hub: 2,
  // They deploy the apps' images: an implicit dependency on workers (and the hub).
  infra: 2.5,
  kubernetes: 2.5,
  tests: 3,
  bench: 3,
  docs: 4,
  repo: 0,
  'sample-data': 0.5,
};

describe('workspace graph', () => {
  let clone: TempClone;
  beforeAll(() => {
    clone = createTempClone();
  });
  afterAll(() => clone?.remove());

  test('every dependency points one way: contracts ← pipeline ← apps/infra/kubernetes ← tests/docs', () => {
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
    // The Hub and infra run no stage processing: they must not carry sharp, OpenCV or splat-transform.
    // (Their tests may use the pipeline's harnesses: only production dependencies count.)
    for (const light of ['hub', 'infra', 'kubernetes', 'definition', 'runtime', 'function-stages']) {
      const manifest = JSON.parse(clone.read(join(graph.get(light)!.dir, 'package.json'))) as {
        dependencies?: Record<string, string>;
      };
      expect({ pkg: light, dependsOnPipeline: '@aerial/pipeline' in (manifest.dependencies ?? {}) }).toEqual({
        pkg: light,
        dependsOnPipeline: false,
      });
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
