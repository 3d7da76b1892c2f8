import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Component, github } from 'projen';
import type { NodeProject } from 'projen/lib/javascript';
// The one typed source of deployed names (plain constants: no build of contracts needed to synth).
import { PLATFORM } from '../packages/contracts/src/deployment';
import { annotateVersions, uses } from './github-actions';
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
  /** Registry the release pushes every image to. @default PLATFORM.imageRegistry */
  readonly imageRegistry?: string;
  /** Images the release builds. @default every folder of apps/workers/images, and aerial-hub */
  readonly images?: ImageBuild[];
}

/** One image of the release: its name in the registry and its Dockerfile (built from the repository root). */
export interface ImageBuild {
  readonly image: string;
  readonly dockerfile: string;
}

const RUNNER = ['ubuntu-latest'];
/** The release tags whose packages own images; every image is built for either. */
const IMAGE_PACKAGES = ['hub', 'workers'];
/** The per-environment image tags Batch (infra) and the manifests (kubernetes) read (@aerial/contracts image-tags.ts). */
const IMAGE_TAGS_FILE = 'packages/contracts/src/image-tags.json';
/** Environments whose images follow each release; the others are promoted by hand. */
const FOLLOWING_ENVIRONMENTS = ['dev', 'staging'];
const PROMOTED_ENVIRONMENT = 'prod';
const APP_TOKEN_STEP: JobStep = {
  // A GitHub App's token, not GITHUB_TOKEN: what GITHUB_TOKEN pushes or opens starts no workflow,
  // so a release pull request would never get its required checks, and tags would build nothing.
  id: 'app-token',
  name: 'Release app token',
  uses: uses('createGithubAppToken'),
  with: { 'app-id': '${{ vars.RELEASE_APP_ID }}', 'private-key': '${{ secrets.RELEASE_APP_PRIVATE_KEY }}' },
};
const APP_TOKEN = '${{ steps.app-token.outputs.token }}';

/**
 * The repository's GitHub workflows: pull request checks (and the security scan), the changesets
 * release, the images built on a release tag, the promotion of a tag to prod, deployment through
 * GitHub environments (approval is an environment protection rule), and the docs site.
 */
export class GithubWorkflows extends Component {
  static of(project: NodeProject): GithubWorkflows | undefined {
    return project.components.find((c): c is GithubWorkflows => c instanceof GithubWorkflows);
  }

  /** Names of the pull request workflow's jobs that must pass before a merge (branch protection). */
  readonly requiredChecks: string[] = [];
  /** The images the release builds, in matrix order. */
  readonly images: ImageBuild[];
  private readonly workflowFiles: string[] = [];

  constructor(project: NodeProject, options: GithubWorkflowsOptions = {}) {
    super(project, 'GithubWorkflows');
    const gh = project.github;
    if (!gh) throw new Error('github workflows need a project with github enabled');
    const branch = options.defaultBranch ?? 'main';
    const toolNode = options.toolNodeVersion ?? '22';
    const registry = options.imageRegistry ?? PLATFORM.imageRegistry;
    this.images = options.images ?? defaultImages(project.outdir);

    this.pullRequest(gh, branch, toolNode, options.testNodeVersions ?? ['20', '22', '24']);
    this.release(gh, branch, toolNode);
    this.imageRelease(gh, branch, toolNode, registry);
    this.promote(gh, branch, toolNode, registry);
    this.deploy(gh, branch, toolNode, options.deployEnvironments ?? ['dev', 'staging', 'prod']);
    this.docs(gh, branch, toolNode);
  }

  /** Writes each pinned action's release beside its `uses:` (projen renders YAML without comments). */
  override postSynthesize(): void {
    for (const name of this.workflowFiles) {
      const file = join(this.project.outdir, '.github', 'workflows', `${name}.yml`);
      if (!existsSync(file)) continue;
      chmodSync(file, 0o644);
      writeFileSync(file, annotateVersions(readFileSync(file, 'utf8')));
      chmodSync(file, 0o444);
    }
  }

  private addWorkflow(gh: github.GitHub, name: string): github.GithubWorkflow {
    this.workflowFiles.push(name);
    return gh.addWorkflow(name);
  }

  private pullRequest(gh: github.GitHub, branch: string, node: string, testNodes: string[]): void {
    const wf = this.addWorkflow(gh, 'pull-request');
    wf.on({ pullRequest: { branches: [branch] }, workflowDispatch: {} });
    const affected = `--base=origin/${branch} --head=HEAD`;
    const jobs: Record<string, Job> = {
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
      security: {
        name: 'security',
        runsOn: RUNNER,
        permissions: { contents: JobPermission.READ },
        steps: [
          { name: 'Checkout', uses: uses('checkout') },
          {
            // Dependencies a pull request adds or changes, against GitHub's advisory database.
            name: 'New dependencies have no known high or critical advisory',
            if: "github.event_name == 'pull_request'",
            uses: uses('dependencyReview'),
            with: { 'fail-on-severity': 'high' },
          },
          { name: 'pnpm', run: `npm install -g pnpm@${PNPM_VERSION}` },
          {
            // What ships (production dependencies of every package), from the lockfile.
            name: 'Production dependencies have no known high or critical advisory',
            run: 'pnpm audit --prod --audit-level high',
          },
          {
            // Dockerfiles and the committed Kubernetes manifests (before any node_modules exist).
            name: 'Dockerfiles and manifests have no high or critical misconfiguration',
            uses: uses('trivy'),
            with: { 'scan-type': 'config', 'scan-ref': '.', severity: 'CRITICAL,HIGH', 'exit-code': '1' },
          },
        ],
      },
    };
    wf.addJobs(jobs);
    // Every job but the matrix (whose checks are named per Node version) gates the merge.
    this.requiredChecks.push(
      ...Object.entries(jobs)
        .filter(([, job]) => !job.strategy)
        .map(([, job]) => job.name!),
    );
  }

  private release(gh: github.GitHub, branch: string, node: string): void {
    const wf = this.addWorkflow(gh, 'release');
    wf.on({ push: { branches: [branch] } });
    wf.addJobs({
      release: {
        name: 'release',
        runsOn: RUNNER,
        permissions: { contents: JobPermission.READ },
        steps: [
          APP_TOKEN_STEP,
          // The app's token is also git's credential: the version branch and the tags it pushes
          // start workflows (the pull request checks; the image build on an image package's tag).
          ...setup(node, { fullHistory: true, token: APP_TOKEN }),
          {
            // Opens the "version packages" pull request while changesets are pending; once it is
            // merged there are none left and the action tags each released package instead.
            name: 'Version pull request or tags',
            uses: uses('changesets'),
            with: {
              version: 'pnpm run version-packages',
              publish: 'pnpm run tag-packages',
              title: 'Version packages',
              commit: 'chore: version packages',
            },
            env: { GITHUB_TOKEN: APP_TOKEN },
          },
        ],
      },
    });
  }

  /**
   * On a release tag of a package that owns images (`@aerial/workers@1.4.0`), builds every image
   * from the tagged commit, scans it, pushes `<registry>/<image>:workers-1.4.0` with its build
   * provenance, then proposes dev and staging on that tag (manifests re-synthesized) in a pull request.
   */
  private imageRelease(gh: github.GitHub, branch: string, node: string, registry: string): void {
    const wf = this.addWorkflow(gh, 'images');
    wf.on({
      push: { tags: IMAGE_PACKAGES.map((p) => `@aerial/${p}@*`) },
      workflowDispatch: {
        inputs: {
          tag: {
            description: `Release tag to build again (${IMAGE_PACKAGES.map((p) => `@aerial/${p}@<version>`).join(' or ')})`,
            required: true,
            type: 'string',
          },
        },
      },
    });
    const imageTag = '${{ needs.plan.outputs.tag }}';
    wf.addJobs({
      plan: imageReleasePlan(),
      image: this.imageBuild(registry, '${{ needs.plan.outputs.ref }}', imageTag),
      tags: {
        name: 'image tags',
        runsOn: RUNNER,
        needs: ['plan', 'image'],
        // Each run updates the same pull request: one at a time (a newer queued run replaces an older one).
        concurrency: 'image-tags',
        permissions: { contents: JobPermission.READ },
        steps: imageTagsPullRequest(branch, node, FOLLOWING_ENVIRONMENTS, imageTag, {
          branch: 'release/image-tags',
          title: `Images: ${FOLLOWING_ENVIRONMENTS.join(' and ')} run ${imageTag}`,
          body: `The release workflow built, scanned and pushed every image as \`${imageTag}\`. Merging moves ${FOLLOWING_ENVIRONMENTS.join(' and ')} to it (Argo CD syncs dev by itself; staging by hand).`,
        }),
      },
    });
  }

  /** Builds, scans and pushes each image of the release, with its build provenance. */
  private imageBuild(registry: string, ref: string, imageTag: string): Job {
    const registryHost = registry.split('/')[0]!;
    return {
      name: 'image ${{ matrix.image }}',
      runsOn: RUNNER,
      needs: ['plan'],
      if: "needs.plan.outputs.build == 'true'",
      permissions: {
        contents: JobPermission.READ,
        packages: JobPermission.WRITE,
        idToken: JobPermission.WRITE,
        attestations: JobPermission.WRITE,
        securityEvents: JobPermission.WRITE,
      },
      strategy: {
        failFast: false,
        matrix: { include: this.images.map((i) => ({ image: i.image, dockerfile: i.dockerfile })) },
      },
      env: { IMAGE: `${registry}/\${{ matrix.image }}:${imageTag}` },
      steps: [
        { name: 'Checkout', uses: uses('checkout'), with: { ref } },
        { name: 'Buildx', uses: uses('setupBuildx') },
        {
          name: 'Log in to the registry',
          uses: uses('dockerLogin'),
          with: { registry: registryHost, username: '${{ github.actor }}', password: '${{ secrets.GITHUB_TOKEN }}' },
        },
        {
          name: 'Build',
          uses: uses('buildPush'),
          with: {
            context: '.',
            file: '${{ matrix.dockerfile }}',
            platforms: 'linux/amd64',
            load: true,
            tags: '${{ env.IMAGE }}',
            'cache-from': 'type=gha,scope=${{ matrix.image }}',
            'cache-to': 'type=gha,mode=max,scope=${{ matrix.image }}',
          },
        },
        {
          // Gate: a critical or high vulnerability that has a fix stops the release.
          name: 'Scan',
          uses: uses('trivy'),
          with: {
            'image-ref': '${{ env.IMAGE }}',
            format: 'sarif',
            output: 'trivy.sarif',
            severity: 'CRITICAL,HIGH',
            'ignore-unfixed': true,
            'limit-severities-for-sarif': true,
            'exit-code': '1',
          },
        },
        {
          name: 'Findings to code scanning',
          if: "always() && hashFiles('trivy.sarif') != ''",
          uses: uses('uploadSarif'),
          with: { sarif_file: 'trivy.sarif', category: 'image-${{ matrix.image }}' },
        },
        {
          // The scanned build again (every layer from the cache), now pushed.
          id: 'push',
          name: 'Push',
          uses: uses('buildPush'),
          with: {
            context: '.',
            file: '${{ matrix.dockerfile }}',
            platforms: 'linux/amd64',
            push: true,
            tags: '${{ env.IMAGE }}',
            'cache-from': 'type=gha,scope=${{ matrix.image }}',
          },
        },
        {
          name: 'Build provenance',
          uses: uses('attestBuildProvenance'),
          with: {
            'subject-name': `${registry}/\${{ matrix.image }}`,
            'subject-digest': '${{ steps.push.outputs.digest }}',
            'push-to-registry': true,
          },
        },
      ],
    };
  }

  /** Sets prod's image tag to a released one (after checking every image exists) in a pull request. */
  private promote(gh: github.GitHub, branch: string, node: string, registry: string): void {
    const wf = this.addWorkflow(gh, 'promote');
    wf.on({
      workflowDispatch: {
        inputs: {
          tag: {
            description: `Image tag to run in ${PROMOTED_ENVIRONMENT} (for example workers-1.4.0; see the images workflow)`,
            required: true,
            type: 'string',
          },
        },
      },
    });
    const imageTag = '${{ inputs.tag }}';
    wf.addJobs({
      promote: {
        name: `promote to ${PROMOTED_ENVIRONMENT}`,
        runsOn: RUNNER,
        // Its own group: a queued run in a shared group would cancel (not queue) another.
        concurrency: `promote-${PROMOTED_ENVIRONMENT}`,
        permissions: { contents: JobPermission.READ, packages: JobPermission.READ },
        steps: [
          {
            name: 'Log in to the registry',
            uses: uses('dockerLogin'),
            with: {
              registry: registry.split('/')[0]!,
              username: '${{ github.actor }}',
              password: '${{ secrets.GITHUB_TOKEN }}',
            },
          },
          {
            name: 'Every image exists at that tag',
            env: { TAG: imageTag, IMAGES: this.images.map((i) => i.image).join(' ') },
            run: [
              'set -euo pipefail',
              `[[ "$TAG" =~ ^(${IMAGE_PACKAGES.join('|')})-[0-9]+\\.[0-9]+\\.[0-9]+$ ]] || { echo "::error::$TAG is not an image tag"; exit 1; }`,
              `for image in $IMAGES; do docker buildx imagetools inspect "${registry}/$image:$TAG" >/dev/null; done`,
            ].join('\n'),
          },
          ...imageTagsPullRequest(branch, node, [PROMOTED_ENVIRONMENT], imageTag, {
            branch: `promote/${PROMOTED_ENVIRONMENT}`,
            title: `Images: ${PROMOTED_ENVIRONMENT} runs ${imageTag}`,
            body: `Merging moves ${PROMOTED_ENVIRONMENT}'s manifests to \`${imageTag}\`; then sync the ${PROMOTED_ENVIRONMENT} applications in Argo CD (prod never syncs by itself).`,
          }),
        ],
      },
    });
  }

  private deploy(gh: github.GitHub, branch: string, node: string, environments: string[]): void {
    const wf = this.addWorkflow(gh, 'deploy');
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
            uses: uses('configureAwsCredentials'),
            with: { 'role-to-assume': '${{ vars.AWS_DEPLOY_ROLE_ARN }}', 'aws-region': '${{ vars.AWS_REGION }}' },
          },
          {
            name: `Deploy ${env}`,
            if: "hashFiles('packages/infra/package.json') != ''",
            // The same account-specific settings as the first deploy by hand (the runbook), kept
            // in the GitHub environment: without them a deploy would reset the mail domain,
            // the alert subscriptions and the account to the repository's defaults.
            env: { AERIAL_CONTEXT: '${{ vars.AERIAL_CONTEXT }}' },
            run: [
              'set -euo pipefail',
              `if [ -z "$AERIAL_CONTEXT" ]; then echo "::error::set the variable AERIAL_CONTEXT of the ${env} environment (the -c aerial:${env} JSON of the first deploy)"; exit 1; fi`,
              `pnpm nx run infra:build && pnpm --filter @aerial/infra run deploy '${env}/*' -c "aerial:${env}=$AERIAL_CONTEXT" --require-approval never`,
            ].join('\n'),
          },
        ],
      };
    });
    wf.addJobs(jobs);
  }

  private docs(gh: github.GitHub, branch: string, node: string): void {
    const wf = this.addWorkflow(gh, 'docs');
    // The site changes with its own sources and with what its generated pages read: the contracts
    // and the definition, the Hub (REST API) and the workers (CLI), and every package.json (package graph).
    const paths = [
      'docs/**',
      'packages/contracts/**',
      'packages/definition/**',
      'apps/hub/**',
      'apps/workers/**',
      '**/package.json',
      'pnpm-workspace.yaml',
      'pnpm-lock.yaml',
      '.github/workflows/docs.yml',
    ];
    wf.on({ push: { branches: [branch], paths }, workflowDispatch: {} });
    wf.addJobs({
      build: {
        name: 'build docs',
        runsOn: RUNNER,
        permissions: { contents: JobPermission.READ, pages: JobPermission.READ },
        steps: [
          ...setup(node, { fullHistory: false }),
          { id: 'pages', name: 'Pages address', uses: uses('configurePages') },
          // Builds what the references run (CLI, Hub), the site and its link check, served from /.
          { name: 'Build the docs site', run: 'pnpm nx run docs:build' },
          {
            name: 'Build it again under the Pages path',
            run: 'node docs/lib/build-site.js --base "${{ steps.pages.outputs.base_path }}/"',
          },
          { name: 'Upload the site', uses: uses('uploadPagesArtifact'), with: { path: 'docs/dist' } },
        ],
      },
      publish: {
        name: 'publish docs',
        runsOn: RUNNER,
        needs: ['build'],
        environment: { name: 'github-pages', url: '${{ steps.deployment.outputs.page_url }}' },
        permissions: { pages: JobPermission.WRITE, idToken: JobPermission.WRITE },
        steps: [{ id: 'deployment', name: 'Publish to GitHub Pages', uses: uses('deployPages') }],
      },
    });
  }
}

/** Every folder of apps/workers/images (one per pipeline container image), then the Hub's image. */
function defaultImages(outdir: string): ImageBuild[] {
  const dir = join(outdir, 'apps', 'workers', 'images');
  const workers = existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true })
        .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'Dockerfile')))
        .map((d) => d.name)
        .sort()
    : [];
  return [
    ...workers.map((image) => ({ image, dockerfile: `apps/workers/images/${image}/Dockerfile` })),
    { image: 'aerial-hub', dockerfile: 'apps/hub/Dockerfile' },
  ];
}

/**
 * Steps that set the image tag of some environments in the one file the charts read, synthesize the
 * manifests again and open (or update) a pull request with both, as the release app so its checks run.
 */
function imageTagsPullRequest(
  branch: string,
  node: string,
  environments: string[],
  imageTag: string,
  pr: { branch: string; title: string; body: string },
): JobStep[] {
  return [
    APP_TOKEN_STEP,
    ...setup(node, { fullHistory: false, token: APP_TOKEN, ref: branch }),
    {
      name: `Set ${environments.join(' and ')} to the image tag`,
      env: { TAG: imageTag, ENVIRONMENTS: environments.join(' '), FILE: IMAGE_TAGS_FILE },
      run: [
        "node -e '",
        '  const fs = require("node:fs");',
        '  const tags = JSON.parse(fs.readFileSync(process.env.FILE, "utf8"));',
        '  for (const env of process.env.ENVIRONMENTS.split(" ")) tags[env] = process.env.TAG;',
        '  fs.writeFileSync(process.env.FILE, JSON.stringify(tags, null, 2) + "\\n");',
        "'",
      ].join('\n'),
    },
    { name: 'Synthesize the manifests', run: 'pnpm nx run kubernetes:synth --skip-nx-cache' },
    {
      name: 'Pull request',
      uses: uses('createPullRequest'),
      with: {
        token: APP_TOKEN,
        base: branch,
        branch: pr.branch,
        title: pr.title,
        body: pr.body,
        'commit-message': pr.title,
        'add-paths': [IMAGE_TAGS_FILE, PLATFORM.manifestsDir].join('\n'),
        'delete-branch': true,
      },
    },
  ];
}

function setup(node: string, o: { fullHistory: boolean; token?: string; ref?: string }): JobStep[] {
  const checkout: Record<string, string | number> = {
    ...(o.fullHistory ? { 'fetch-depth': 0 } : {}),
    ...(o.token ? { token: o.token } : {}),
    ...(o.ref ? { ref: o.ref } : {}),
  };
  return [
    { name: 'Checkout', uses: uses('checkout'), ...(Object.keys(checkout).length ? { with: checkout } : {}) },
    { name: 'Node', uses: uses('setupNode'), with: { 'node-version': node } },
    { name: 'pnpm', run: `npm install -g pnpm@${PNPM_VERSION}` },
    { name: 'Install', run: 'pnpm install --frozen-lockfile' },
  ];
}

/**
 * The release's image tag from its release tag (`@aerial/workers@1.4.0` → `workers-1.4.0`), and
 * whether this run builds: a commit tagged for both packages is built once, by the workers' tag.
 */
function imageReleasePlan(): Job {
  return {
    name: 'plan',
    runsOn: RUNNER,
    permissions: { contents: JobPermission.READ },
    outputs: {
      tag: { stepId: 'plan', outputName: 'tag' },
      ref: { stepId: 'plan', outputName: 'ref' },
      build: { stepId: 'plan', outputName: 'build' },
    },
    steps: [
      { name: 'Checkout', uses: uses('checkout'), with: { 'fetch-depth': 0 } },
      {
        id: 'plan',
        name: 'Image tag from the release tag',
        env: { RELEASE_TAG: '${{ inputs.tag || github.ref_name }}', EVENT: '${{ github.event_name }}' },
        run: [
          'set -euo pipefail',
          `if ! [[ "$RELEASE_TAG" =~ ^@aerial/(${IMAGE_PACKAGES.join('|')})@([0-9]+\\.[0-9]+\\.[0-9]+)$ ]]; then`,
          '  echo "::error::$RELEASE_TAG is not a release tag of an image package"; exit 1',
          'fi',
          'pkg="${BASH_REMATCH[1]}"; version="${BASH_REMATCH[2]}"',
          'git rev-parse --verify --quiet "refs/tags/$RELEASE_TAG" >/dev/null || { echo "::error::no tag $RELEASE_TAG"; exit 1; }',
          // One release commit often tags both packages: the workers' tag builds it, once.
          'build=true',
          `if [ "$EVENT" = push ] && [ "$pkg" != workers ] && [ -n "$(git tag --points-at "$(git rev-parse "refs/tags/$RELEASE_TAG^{commit}")" --list '@aerial/workers@*')" ]; then`,
          '  build=false; echo "the workers tag of this commit builds the images"',
          'fi',
          'echo "tag=$pkg-$version" >> "$GITHUB_OUTPUT"',
          'echo "ref=refs/tags/$RELEASE_TAG" >> "$GITHUB_OUTPUT"',
          'echo "build=$build" >> "$GITHUB_OUTPUT"',
        ].join('\n'),
      },
    ],
  };
}
