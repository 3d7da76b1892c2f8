import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * How one package depends on another: declared in `dependencies` (production), only in
 * `devDependencies` (its tests and tools), as an Nx `implicitDependencies` entry (not imported:
 * the docs describe everything, infra deploys the workers' images), or found by Nx in the code
 * without a declaration.
 */
export type DependencyKind = 'production' | 'development' | 'implicit' | 'undeclared';

/** One workspace package as the graph page shows it. */
export interface WorkspacePackage {
  /** Nx project name (`hub`). */
  readonly project: string;
  /** npm name (`@aerial/hub`). */
  readonly name: string;
  /** Folder relative to the repository root (`apps/hub`). */
  readonly root: string;
  readonly description: string;
}

/** `from` depends on `to` (Nx project names). */
export interface PackageEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: DependencyKind;
}

export interface WorkspaceGraph {
  readonly packages: readonly WorkspacePackage[];
  readonly edges: readonly PackageEdge[];
}

/** The part of `nx graph --file=<file>.json` this page reads (Nx 24). */
const NxGraphFileSchema = z.object({
  graph: z.object({
    nodes: z.record(z.string(), z.object({ name: z.string(), data: z.object({ root: z.string() }) })),
    dependencies: z.record(z.string(), z.array(z.object({ source: z.string(), target: z.string(), type: z.string() }))),
  }),
});
export type NxGraphFile = z.infer<typeof NxGraphFileSchema>;

const PackageJsonSchema = z.object({
  name: z.string(),
  description: z.string().default(''),
  dependencies: z.record(z.string(), z.string()).default({}),
  devDependencies: z.record(z.string(), z.string()).default({}),
  peerDependencies: z.record(z.string(), z.string()).default({}),
});

/**
 * Nx's project graph of the workspace at `workspaceRoot`, as `nx graph --file` writes it. Runs
 * without the daemon and without Nx Cloud, so the docs build needs no network and leaves no
 * process behind.
 */
export function readNxGraph(workspaceRoot: string): NxGraphFile {
  const dir = mkdtempSync(join(tmpdir(), 'aerial-nx-graph-'));
  try {
    const file = join(dir, 'graph.json');
    const nx = require.resolve('nx/bin/nx.js', { paths: [workspaceRoot] });
    execFileSync(process.execPath, [nx, 'graph', `--file=${file}`, '--open=false'], {
      cwd: workspaceRoot,
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    return parseNxGraph(JSON.parse(readFileSync(file, 'utf8')), `nx graph --file (in ${workspaceRoot})`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function parseNxGraph(json: unknown, source: string): NxGraphFile {
  const parsed = NxGraphFileSchema.safeParse(json);
  if (!parsed.success)
    throw new Error(
      `${source} is not the project graph this page reads (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}): check the Nx version`,
    );
  return parsed.data;
}

/**
 * The workspace packages and their dependencies: the edges are Nx's, each labelled with how the
 * depending package's package.json declares it; names and descriptions come from the package.json
 * in each project's root.
 */
export function workspaceGraph(nx: NxGraphFile, readPackageJson: (root: string) => unknown): WorkspaceGraph {
  const manifests = new Map(
    Object.values(nx.graph.nodes).map((node) => [
      node.name,
      { root: node.data.root, ...PackageJsonSchema.parse(readPackageJson(node.data.root)) },
    ]),
  );
  const projectOfPackage = new Map([...manifests].map(([project, m]) => [m.name, project]));
  const packages = [...manifests]
    .map(([project, m]) => ({ project, name: m.name, root: m.root, description: m.description }))
    .sort((a, b) => a.root.localeCompare(b.root));

  const edges: PackageEdge[] = [];
  for (const [from, deps] of Object.entries(nx.graph.dependencies)) {
    const manifest = manifests.get(from);
    if (!manifest) continue;
    const declared = (section: Record<string, string>) =>
      new Set(Object.keys(section).flatMap((name) => projectOfPackage.get(name) ?? []));
    const production = declared({ ...manifest.dependencies, ...manifest.peerDependencies });
    const development = declared(manifest.devDependencies);
    // Nx lists an edge once per kind it found (static, dynamic, implicit): draw one per pair.
    for (const to of new Set(deps.map((d) => d.target).filter((t) => manifests.has(t)))) {
      const types = new Set(deps.filter((d) => d.target === to).map((d) => d.type));
      const kind: DependencyKind = production.has(to)
        ? 'production'
        : development.has(to)
          ? 'development'
          : types.has('implicit')
            ? 'implicit'
            : 'undeclared';
      edges.push({ from, to, kind });
    }
  }
  edges.sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
  return { packages, edges };
}

/** The graph of the workspace at `workspaceRoot`, from Nx and the package.json files. */
export function readWorkspaceGraph(workspaceRoot: string): WorkspaceGraph {
  return workspaceGraph(readNxGraph(workspaceRoot), (root) =>
    JSON.parse(readFileSync(join(workspaceRoot, root, 'package.json'), 'utf8')),
  );
}
