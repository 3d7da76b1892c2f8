import { Component, github } from 'projen';
import type { NodeProject } from 'projen/lib/javascript';
import { PNPM_VERSION } from './versions';

const { JobPermission } = github.workflows;
type Job = github.workflows.Job;
type JobStep = github.workflows.JobStep;

/** Options for {@link GithubWorkflows}. */
export interface GithubWorkflowsOptions {
  /** The branch pull requests target and releases come from. @default "main" */
  readonly defaultBranch?: string;
  /** Node versions the tests run on in pull requests. @default ["20", "22", "24"] */
  readonly testNodeVersions?: string[];
  /** Node version for builds, releases and deployments (a current LTS). @default "22" */
  readonly toolNodeVersion?: string;
  /** Environments deployed in order from the default branch; each waits for the previous one. @default ["dev", "staging", "prod"] */
  readonly deployEnvironments?: string[];
}

const RUNNER = ['ubuntu-latest'];

/**
 * The repository's GitHub workflows: pull request checks, changesets release, deployment through
 * GitHub environments (approval is an environment protection rule), and the docs site.
 */
export class GithubWorkflows extends Component {
  static of(project: NodeProject): GithubWorkflows | undefined {
    return project.components.find((c): c is GithubWorkflows => c instanceof GithubWorkflows);
  }

  constructor(project: NodeProject, options: GithubWorkflowsOptions = {}) {
    super(project, 'GithubWorkflows');
    const gh = project.github;
    if (!gh) throw new Error('github workflows need a project with github enabled');
    const branch = options.defaultBranch ?? 'main';
    const toolNode = options.toolNodeVersion ?? '22';

    this.pullRequest(gh, branch, toolNode, options.testNodeVersions ?? ['20', '22', '24']);
    this.release(gh, branch, toolNode);
    this.deploy(gh, branch, toolNode, options.deployEnvironments ?? ['dev', 'staging', 'prod']);
    this.docs(gh, branch, toolNode);
  }

  private pullRequest(gh: github.GitHub, branch: string, node: string, testNodes: string[]): void {
    const wf = gh.addWorkflow('pull-request');
    wf.on({ pullRequest: { branches: [branch] }, workflowDispatch: {} });
    const affected = `--base=origin/${branch} --head=HEAD`;
    wf.addJobs({
      build: {
        name: 'build',
        runsOn: RUNNER,
        permissions: { contents: JobPermission.READ },
        steps: [
          ...setup(node, { fullHistory: true }),
          { name: 'Generated files match .projenrc.ts', run: 'npx projen && git diff --exit-code' },
          { name: 'Formatting', run: 'pnpm prettier --check .' },
          { name: 'Lint and build what changed', run: `pnpm nx affected -t lint build ${affected}` },
          {
            name: 'Synthesize infrastructure and manifests that changed',
            run: `pnpm nx affected -t synth ${affected}`,
          },
        ],
      },
      'test-node': {
        name: 'test (node ${{ matrix.node }})',
        runsOn: RUNNER,
        permissions: { contents: JobPermission.READ },
        strategy: { failFast: false, matrix: { domain: { node: testNodes } } },
        steps: [
          ...setup('${{ matrix.node }}', { fullHistory: true }),
          { name: 'Start the services the tests need', run: 'sudo bash tools/services/setup.sh' },
          { name: 'Test what changed', run: `pnpm nx affected -t test ${affected}` },
        ],
      },
      // Branch protection requires a check named "test"; a matrix only reports "test (node N)".
      test: {
        name: 'test',
        runsOn: RUNNER,
        needs: ['test-node'],
        if: 'always()',
        permissions: {},
        steps: [{ name: 'Every Node version passed', run: 'test "${{ needs.test-node.result }}" = success' }],
      },
    });
  }

  private release(gh: github.GitHub, branch: string, node: string): void {
    const wf = gh.addWorkflow('release');
    wf.on({ push: { branches: [branch] } });
    wf.addJobs({
      release: {
        name: 'release',
        runsOn: RUNNER,
        permissions: { contents: JobPermission.WRITE, pullRequests: JobPermission.WRITE },
        steps: [
          ...setup(node, { fullHistory: true }),
          {
            // Opens the "version packages" pull request while changesets are pending; once it is
            // merged there are none left and the action tags each released package instead.
            name: 'Version pull request or tags',
            uses: 'changesets/action@v1',
            with: {
              version: 'pnpm run version-packages',
              publish: 'pnpm run tag-packages',
              title: 'Version packages',
              commit: 'chore: version packages',
            },
            env: { GITHUB_TOKEN: '${{ secrets.GITHUB_TOKEN }}' },
          },
        ],
      },
    });
  }

  private deploy(gh: github.GitHub, branch: string, node: string, environments: string[]): void {
    const wf = gh.addWorkflow('deploy');
    wf.on({ push: { branches: [branch] }, workflowDispatch: {} });
    const jobs: Record<string, Job> = {};
    environments.forEach((env, i) => {
      jobs[`deploy-${env}`] = {
        name: `deploy ${env}`,
        runsOn: RUNNER,
        needs: i === 0 ? undefined : [`deploy-${environments[i - 1]}`],
        // Approvals and who may deploy are protection rules of the GitHub environment.
        environment: env,
        // One deployment per environment at a time; a newer one waits rather than cancelling.
        concurrency: `deploy-${env}`,
        permissions: { contents: JobPermission.READ, idToken: JobPermission.WRITE },
        steps: [
          ...setup(node, { fullHistory: false }),
          {
            name: 'AWS credentials from the OIDC role',
            uses: 'aws-actions/configure-aws-credentials@v4',
            with: { 'role-to-assume': '${{ vars.AWS_DEPLOY_ROLE_ARN }}', 'aws-region': '${{ vars.AWS_REGION }}' },
          },
          {
            name: `Deploy ${env}`,
            if: "hashFiles('packages/infra/package.json') != ''",
            run: `pnpm nx run infra:build && pnpm --filter @aerial/infra run deploy '${env}/*' --require-approval never`,
          },
        ],
      };
    });
    wf.addJobs(jobs);
  }

  private docs(gh: github.GitHub, branch: string, node: string): void {
    const wf = gh.addWorkflow('docs');
    wf.on({ push: { branches: [branch] }, workflowDispatch: {} });
    wf.addJobs({
      build: {
        name: 'build docs',
        runsOn: RUNNER,
        permissions: { contents: JobPermission.READ },
        steps: [
          ...setup(node, { fullHistory: false }),
          { name: 'Build the docs site', run: 'pnpm nx run docs:build' },
          { name: 'Upload the site', uses: 'actions/upload-pages-artifact@v3', with: { path: 'docs/dist' } },
        ],
      },
      publish: {
        name: 'publish docs',
        runsOn: RUNNER,
        needs: ['build'],
        environment: { name: 'github-pages', url: '${{ steps.deployment.outputs.page_url }}' },
        permissions: { pages: JobPermission.WRITE, idToken: JobPermission.WRITE },
        steps: [{ id: 'deployment', name: 'Publish to GitHub Pages', uses: 'actions/deploy-pages@v4' }],
      },
    });
  }
}

function setup(node: string, o: { fullHistory: boolean }): JobStep[] {
  return [
    { name: 'Checkout', uses: 'actions/checkout@v4', with: o.fullHistory ? { 'fetch-depth': 0 } : {} },
    { name: 'Node', uses: 'actions/setup-node@v4', with: { 'node-version': node } },
    { name: 'pnpm', run: `npm install -g pnpm@${PNPM_VERSION}` },
    { name: 'Install', run: 'pnpm install --frozen-lockfile' },
  ];
}
