import { join } from 'node:path';
import { Component, JsonFile, type Project } from 'projen';
import { FEATURE_FLAGS } from '../packages/infra/src/config/feature-flags';

/** Options for {@link CdkApp}. */
export interface CdkAppOptions {
  /** The package holding the CDK app, relative to the root. */
  readonly outdir: string;
}

/**
 * `cdk.json` of the infra package, so that `cdk synth`, `cdk diff` and `cdk deploy` work from it
 * the way every CDK user types them: the CLI builds the app and the workspace packages it imports,
 * then runs the compiled app (offline: it looks nothing up, and the CLI asks for no notices). The context records the feature flags
 * the app applies itself (packages/infra/src/config/feature-flags.ts).
 */
export class CdkApp extends Component {
  constructor(project: Project, options: CdkAppOptions) {
    super(project);
    new JsonFile(project, join(options.outdir, 'cdk.json'), {
      obj: {
        app: 'node lib/app.js',
        // The workspace packages the app imports, in order, then the app: nothing else (the images
        // it deploys are built and pushed by the release workflow).
        build:
          'npx tsc -p ../contracts/tsconfig.json && npx tsc -p ../pipeline/tsconfig.json && npx tsc -p tsconfig.json',
        output: 'cdk.out',
        notices: false,
        watch: { include: ['src/**/*.ts'], exclude: ['**/*.test.ts'] },
        context: FEATURE_FLAGS,
      },
      marker: false,
    });
  }
}
