import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Component, JsonFile, type Project } from 'projen';

/** Options for {@link WorkspacePackage}. */
export interface WorkspacePackageOptions {
  /** Short name: the npm name is `@aerial/<name>` and the Nx project name is `<name>`. */
  readonly name: string;
  /** Folder of the package, relative to the repository root. */
  readonly outdir: string;
  /** One line shown in package.json and the docs. */
  readonly description: string;
  /** External runtime dependencies, name to semver range. @default {} */
  readonly deps?: Record<string, string>;
  /** External development dependencies, name to semver range. @default {} */
  readonly devDeps?: Record<string, string>;
  /** Workspace packages imported by this one (`workspace:^` + tsconfig project references). @default [] */
  readonly workspaceDeps?: WorkspacePackage[];
  /** Workspace packages only its tests and tools import (`workspace:^` dev dependencies). @default [] */
  readonly workspaceDevDeps?: WorkspacePackage[];
  /**
   * Packages this one depends on without importing them (Nx `implicitDependencies`);
   * `"all-others"` for a package that describes the whole repository, like the docs. @default []
   */
  readonly implicitDependencies?: WorkspacePackage[] | 'all-others';
  /** Whether the package compiles `src/` to `lib/` and exports it. @default true */
  readonly library?: boolean;
  /** Command run after the TypeScript build (for example rendering the docs site). @default - none */
  readonly postBuild?: string;
  /** Executables, name to path of the compiled file. @default {} */
  readonly bin?: Record<string, string>;
  /** Extra package.json scripts. @default {} */
  readonly scripts?: Record<string, string>;
  /** ESM-only dependencies that jest must transform (jest runs CommonJS). @default [] */
  readonly esmOnlyDeps?: string[];
  /** Folders (relative to the package) whose `*.test.ts` jest runs. @default ["src"] */
  readonly testRoots?: string[];
  /** Workspace-root files that feed this package's tests (Nx inputs), e.g. `projenrc/**`. @default [] */
  readonly workspaceInputs?: string[];
  /** Whether its tests read its own build output (the docs' tests open the built site). @default false */
  readonly testsReadBuild?: boolean;
  /** Jest per-test timeout in ms. @default 5000 */
  readonly testTimeout?: number;
  /**
   * Files and folders besides `lib/` that the package reads at run time (migrations, a built web
   * page): listed in `files`, so `pnpm deploy` (which the images run from) ships them. @default []
   */
  readonly runtimeFiles?: string[];
  /** What the build writes besides `lib/` (for example `web/dist`): Nx caches and restores it. @default [] */
  readonly buildOutputs?: string[];
  /**
   * Entry points besides the index, subpath to module under `src/` without extension (for example
   * `{ './testing': 'testing/index' }`). Only these and the index can be imported: the `exports`
   * map closes the package to deep imports, so its insides can move without breaking a consumer.
   * @default {}
   */
  readonly entryPoints?: Record<string, string>;
}

const DEFAULT_VERSION = '0.0.0';
/** The tool versions every package's scripts rely on, hoisted to the root install. */
export const NPM_SCOPE = '@aerial';

/**
 * One pnpm workspace package: package.json (Nx targets, jest config), tsconfig.json with project
 * references, and tsconfig.dev.json for type-checking tests. All packages come from this one class
 * so that adding a package is a few lines in `.projenrc.ts`.
 */
export class WorkspacePackage extends Component {
  /** Every workspace package declared in a project, in declaration order. */
  static all(project: Project): WorkspacePackage[] {
    return project.components.filter((c): c is WorkspacePackage => c instanceof WorkspacePackage);
  }

  /** The package with the given short name, or undefined. */
  static of(project: Project, name: string): WorkspacePackage | undefined {
    return WorkspacePackage.all(project).find((p) => p.name === name);
  }

  private static checkedId(project: Project, options: WorkspacePackageOptions): string {
    if (!/^[a-z][a-z0-9-]*$/.test(options.name)) {
      throw new Error(`package name "${options.name}" must be lowercase kebab-case`);
    }
    const clash = WorkspacePackage.all(project).find((p) => p.name === options.name || p.outdir === options.outdir);
    if (clash) {
      throw new Error(
        `package "${options.name}" (${options.outdir}) clashes with "${clash.name}" (${clash.outdir}): names and folders must be unique`,
      );
    }
    return `WorkspacePackage:${options.name}`;
  }

  readonly name: string;
  readonly packageName: string;
  readonly outdir: string;
  readonly library: boolean;
  readonly manifest: JsonFile;
  private readonly options: WorkspacePackageOptions;

  constructor(project: Project, options: WorkspacePackageOptions) {
    super(project, WorkspacePackage.checkedId(project, options));
    this.options = options;
    this.name = options.name;
    this.packageName = `${NPM_SCOPE}/${options.name}`;
    this.outdir = options.outdir;
    this.library = options.library ?? true;

    this.manifest = new JsonFile(project, join(this.outdir, 'package.json'), {
      // changesets rewrites the version field in place, so the file must stay writable.
      readonly: false,
      marker: true,
      obj: () => this.renderManifest(),
    });
    new JsonFile(project, join(this.outdir, 'tsconfig.json'), { obj: () => this.renderTsconfig() });
    new JsonFile(project, join(this.outdir, 'tsconfig.dev.json'), { obj: () => this.renderDevTsconfig() });
  }

  /**
   * The version changesets wrote last; projen would otherwise reset it on every synth.
   */
  get version(): string {
    const file = join(this.project.outdir, this.outdir, 'package.json');
    if (!existsSync(file)) return DEFAULT_VERSION;
    try {
      const onDisk = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown };
      return typeof onDisk.version === 'string' ? onDisk.version : DEFAULT_VERSION;
    } catch {
      return DEFAULT_VERSION;
    }
  }

  /** Nx names of the implicit dependencies, resolved at synth so later packages are included. */
  get implicitDependencyNames(): string[] {
    const declared = this.options.implicitDependencies ?? [];
    const imported = new Set(
      [...(this.options.workspaceDeps ?? []), ...(this.options.workspaceDevDeps ?? [])].map((d) => d.name),
    );
    const list = declared === 'all-others' ? WorkspacePackage.all(this.project).filter((p) => p !== this) : declared;
    return list.map((p) => p.name).filter((n) => !imported.has(n));
  }

  private get testRoots(): string[] {
    return this.options.testRoots ?? ['src'];
  }

  private renderManifest(): Record<string, unknown> {
    const o = this.options;
    const workspaceDeps = Object.fromEntries((o.workspaceDeps ?? []).map((d) => [d.packageName, 'workspace:^']));
    const workspaceDevDeps = Object.fromEntries((o.workspaceDevDeps ?? []).map((d) => [d.packageName, 'workspace:^']));
    const build = ['tsc -p tsconfig.json', o.postBuild].filter(Boolean).join(' && ');
    const scripts: Record<string, string> = {
      build,
      // The JSON results feed the "N passed, N failed" totals that CI prints.
      test: 'mkdir -p .jest && jest --json --outputFile=.jest/results.json',
      lint: `eslint --max-warnings 0 ${['.', ...this.testRoots.filter((r) => r.startsWith('..'))].join(' ')} && tsc -p tsconfig.dev.json`,
      ...o.scripts,
    };
    return {
      name: this.packageName,
      version: this.version,
      description: o.description,
      private: true,
      license: 'Apache-2.0',
      engines: { node: '>=20.19' },
      ...(this.library
        ? {
            type: 'commonjs',
            main: 'lib/index.js',
            types: 'lib/index.d.ts',
            exports: this.renderExports(),
            files: ['lib', ...(o.runtimeFiles ?? []), '!lib/**/*.test.*', '!lib/.tsbuildinfo'],
          }
        : {}),
      ...(o.bin ? { bin: o.bin } : {}),
      scripts,
      dependencies: sortKeys({ ...workspaceDeps, ...o.deps }),
      devDependencies: sortKeys({ ...workspaceDevDeps, ...o.devDeps }),
      nx: {
        name: this.name,
        ...(this.implicitDependencyNames.length ? { implicitDependencies: this.implicitDependencyNames } : {}),
        targets: this.renderTargets(),
      },
      jest: this.renderJest(),
    };
  }

  private renderExports(): Record<string, unknown> {
    const entry = (module: string) => ({ types: `./lib/${module}.d.ts`, default: `./lib/${module}.js` });
    const extra = Object.entries(this.options.entryPoints ?? {}).map(([subpath, module]) => [subpath, entry(module)]);
    const bins = Object.values(this.options.bin ?? {}).map((file) => [`./${file}`, `./${file}`]);
    // package.json stays readable (tools read versions); bins stay runnable by path.
    return Object.fromEntries([['.', entry('index')], ...extra, ...bins, ['./package.json', './package.json']]);
  }

  private renderTargets(): Record<string, unknown> {
    const extra = (this.options.workspaceInputs ?? []).map((p) => `{workspaceRoot}/${p}`);
    return {
      build: {
        outputs: this.library
          ? ['{projectRoot}/lib', ...(this.options.buildOutputs ?? []).map((p) => `{projectRoot}/${p}`)]
          : [],
      },
      test: {
        ...(this.options.testsReadBuild ? { dependsOn: ['^build', 'build'] } : {}),
        outputs: ['{projectRoot}/.jest'],
        ...(extra.length ? { inputs: ['default', '^production', ...extra] } : {}),
      },
      lint: extra.length ? { inputs: ['default', '{workspaceRoot}/eslint.config.mjs', ...extra] } : {},
    };
  }

  private renderJest(): Record<string, unknown> {
    const esm = this.options.esmOnlyDeps ?? [];
    return {
      testEnvironment: 'node',
      roots: this.testRoots.map((r) => `<rootDir>/${r}`),
      testMatch: ['**/*.test.ts'],
      testTimeout: this.options.testTimeout ?? 5000,
      transform: {
        '^.+\\.(t|j|mj)s$': [
          '@swc/jest',
          { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
        ],
      },
      ...(esm.length
        ? {
            // pnpm's store spells a scoped package `@scope+name`; both spellings must be transformed.
            transformIgnorePatterns: [
              `/node_modules/(?!(\\.pnpm/)?(${esm
                .flatMap((d) => [d, d.replace('/', '+')].filter((v, i, a) => a.indexOf(v) === i))
                .map(escapeRegex)
                .join('|')})[@/])`,
            ],
          }
        : {}),
    };
  }

  private renderTsconfig(): Record<string, unknown> {
    const refs = (this.options.workspaceDeps ?? []).map((d) => ({ path: relative(this.outdir, d.outdir) }));
    const base = relative(this.outdir, 'tsconfig.base.json');
    if (!this.library) {
      // Tooling is type-checked, never emitted; its tests may reach outside the package (projenrc/).
      const compilerOptions = { noEmit: true, rootDir: relative(this.outdir, '.'), types: ['node', 'jest'] };
      return { extends: base, compilerOptions, include: this.testRoots, references: refs };
    }
    return {
      extends: base,
      compilerOptions: { rootDir: 'src', outDir: 'lib', composite: true, tsBuildInfoFile: 'lib/.tsbuildinfo' },
      // .mts: the rare module that must be an ES module (to import ESM-only packages natively).
      include: ['src/**/*.ts', 'src/**/*.mts'],
      // Tests and their helpers (in test-support folders) stay out of the build.
      exclude: ['src/**/*.test.ts', 'src/**/test-support/**'],
      references: refs,
    };
  }

  private renderDevTsconfig(): Record<string, unknown> {
    const compilerOptions = this.library
      ? { composite: false, noEmit: true, rootDir: '.', types: ['node', 'jest'] }
      : { noEmit: true };
    return {
      extends: './tsconfig.json',
      compilerOptions,
      include: this.library
        ? ['src/**/*.ts', 'src/**/*.mts', ...this.testRoots.filter((r) => r !== 'src')]
        : this.testRoots,
      exclude: [],
    };
  }
}

function sortKeys(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
