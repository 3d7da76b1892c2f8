import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** One workspace package as its package.json declares it, read without Nx. */
export interface DeclaredPackage {
  readonly name: string;
  readonly dir: string;
  /** Nx names of the workspace packages it imports or implicitly depends on. */
  readonly dependsOn: string[];
}

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  nx?: { name?: string; implicitDependencies?: string[] };
}

/** The dependency graph the package.json files declare; the reference Nx's answers are checked against. */
export function readDeclaredGraph(root: string): Map<string, DeclaredPackage> {
  const dirs = (parse(readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8')) as { packages: string[] }).packages;
  const manifests = dirs.map((dir) => ({
    dir,
    m: JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as Manifest,
  }));
  const nxName = new Map(manifests.map(({ m }) => [m.name, m.nx?.name ?? m.name]));
  const graph = new Map<string, DeclaredPackage>();
  for (const { dir, m } of manifests) {
    const workspaceDeps = Object.entries({ ...m.dependencies, ...m.devDependencies })
      .filter(([, range]) => range.startsWith('workspace:'))
      .map(([dep]) => nxName.get(dep) ?? dep);
    const name = nxName.get(m.name) as string;
    graph.set(name, { name, dir, dependsOn: [...new Set([...workspaceDeps, ...(m.nx?.implicitDependencies ?? [])])] });
  }
  return graph;
}

/** `name` and every package that depends on it, directly or through others. */
export function withDependents(graph: Map<string, DeclaredPackage>, name: string): string[] {
  const result = new Set([name]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const pkg of graph.values()) {
      if (!result.has(pkg.name) && pkg.dependsOn.some((d) => result.has(d))) {
        result.add(pkg.name);
        grew = true;
      }
    }
  }
  return [...result].sort();
}
