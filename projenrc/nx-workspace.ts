import { Component, JsonFile, type Project } from 'projen';

/** Options for {@link NxWorkspace}. */
export interface NxWorkspaceOptions {
  /** Branch that `nx affected` compares against. @default "main" */
  readonly defaultBase?: string;
  /** Tasks Nx runs at once; these machines have 2 cores. @default 2 */
  readonly parallel?: number;
}

/**
 * `nx.json`: cached `build`/`test`/`lint` targets that wait for their dependencies' builds, the
 * cache inside the repository (Nx 24 defaults to the home directory, which every clone shares, so a
 * fresh clone could report cache hits for tests it never ran), no analytics and no cloud.
 */
export class NxWorkspace extends Component {
  static of(project: Project): NxWorkspace | undefined {
    return project.components.find((c): c is NxWorkspace => c instanceof NxWorkspace);
  }

  static readonly CACHE_DIRECTORY = '.nx/cache';

  readonly file: JsonFile;

  constructor(project: Project, options: NxWorkspaceOptions = {}) {
    super(project, 'NxWorkspace');
    this.file = new JsonFile(project, 'nx.json', {
      obj: {
        $schema: './node_modules/nx/schemas/nx-schema.json',
        defaultBase: options.defaultBase ?? 'main',
        cacheDirectory: NxWorkspace.CACHE_DIRECTORY,
        analytics: false,
        neverConnectToCloud: true,
        // The daemon outlives the command; CI, tooling tests and temp clones want none left behind.
        useDaemonProcess: false,
        parallel: options.parallel ?? 2,
        tui: { enabled: false },
        namedInputs: {
          default: ['{projectRoot}/**/*', 'sharedGlobals'],
          sharedGlobals: ['{workspaceRoot}/tsconfig.base.json', '{workspaceRoot}/pnpm-lock.yaml'],
          production: [
            'default',
            '!{projectRoot}/**/*.test.ts',
            '!{projectRoot}/.jest/**',
            '!{projectRoot}/CHANGELOG.md',
            '!{projectRoot}/tsconfig.dev.json',
          ],
        },
        targetDefaults: {
          build: { dependsOn: ['^build'], inputs: ['production', '^production'], cache: true },
          test: { dependsOn: ['^build'], inputs: ['default', '^production'], cache: true },
          // Infrastructure and manifests: synthesized from the built app.
          synth: {
            dependsOn: ['build'],
            inputs: ['production', '^production'],
            outputs: ['{projectRoot}/cdk.out', '{projectRoot}/dist'],
            cache: true,
          },
          lint: {
            dependsOn: ['^build'],
            inputs: ['default', '{workspaceRoot}/eslint.config.mjs'],
            cache: true,
          },
        },
      },
    });
  }
}
