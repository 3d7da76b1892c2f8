import { createTempClone, type TempClone } from './temp-clone';
import { readDeclaredGraph, withDependents, type DeclaredPackage } from './workspace-graph';

/**
 * GIVEN a clone of the repository, WHEN one package changes on a branch, THEN Nx's affected set is
 * exactly that package plus the packages that declare a dependency on it.
 */
describe('nx affected', () => {
  let clone: TempClone;
  let graph: Map<string, DeclaredPackage>;

  beforeAll(() => {
    clone = createTempClone();
    graph = readDeclaredGraph(clone.dir);
  });
  afterAll(() => clone?.remove());

  let changes = 0;
  function affectedBy(file: string): string[] {
    const branch = `change-${++changes}`;
    clone.git('checkout', '-q', '-b', branch, 'main');
    try {
      clone.write(file, `${clone.read(file)}\n`);
      clone.git('commit', '-q', '-am', `touch ${file}`);
      const out = clone.run('node_modules/.bin/nx', [
        'show',
        'projects',
        '--affected',
        '--base=main',
        '--head=HEAD',
        '--json',
      ]);
      return (JSON.parse(out) as string[]).sort();
    } finally {
      clone.git('checkout', '-q', 'main');
    }
  }

  test('a change only to contracts affects contracts and every package that depends on it', () => {
    const affected = affectedBy('packages/contracts/package.json');
    const importers = [...graph.values()].filter((p) => p.dependsOn.includes('contracts')).map((p) => p.name);
    expect(importers.length).toBeGreaterThan(0);
    expect(affected).toEqual(expect.arrayContaining(['contracts', ...importers]));
    expect(affected).toEqual(withDependents(graph, 'contracts'));
  });

  test('a change to any one package affects exactly it and its declared dependents', () => {
    for (const pkg of graph.values()) {
      expect({ pkg: pkg.name, affected: affectedBy(`${pkg.dir}/package.json`) }).toEqual({
        pkg: pkg.name,
        affected: withDependents(graph, pkg.name),
      });
    }
  });

  test('a change only to the hub leaves the packages it builds on unaffected', () => {
    const hub = graph.get('hub');
    if (!hub) {
      console.warn('skipped: there is no apps/hub package yet; the per-package test above covers the rule');
      return;
    }
    const affected = affectedBy(`${hub.dir}/package.json`);
    for (const lower of ['contracts', 'pipeline', 'infra', 'kubernetes', 'workers'])
      expect(affected).not.toContain(lower);
  });

  test('a change only to .projenrc.ts affects the tooling tests that check generated files', () => {
    expect(affectedBy('.projenrc.ts')).toEqual(withDependents(graph, 'repo'));
  });
});
