/**
 * Every action the workflows use, pinned to the commit of a release (a tag can be moved to other
 * code; a commit cannot). The version is written beside each `uses:` as a comment. To update one,
 * resolve the new release tag to its commit (`git ls-remote https://github.com/<owner>/<repo> refs/tags/<tag>`)
 * and change both fields.
 */
export const ACTIONS = {
  checkout: { repo: 'actions/checkout', sha: '11bd71901bbe5b1630ceea73d27597364c9af683', version: 'v4.2.2' },
  setupNode: { repo: 'actions/setup-node', sha: '49933ea5288caeca8642d1e84afbd3f7d6820020', version: 'v4.4.0' },
  configurePages: {
    repo: 'actions/configure-pages',
    sha: '983d7736d9b0ae728b81ab479565c72886d7745b',
    version: 'v5.0.0',
  },
  uploadPagesArtifact: {
    repo: 'actions/upload-pages-artifact',
    sha: '56afc609e74202658d3ffba0e8f6dda462b719fa',
    version: 'v3.0.1',
  },
  deployPages: { repo: 'actions/deploy-pages', sha: 'd6db90164ac5ed86f2b6aed7e0febac5b3c0c03e', version: 'v4.0.5' },
  configureAwsCredentials: {
    repo: 'aws-actions/configure-aws-credentials',
    sha: 'b47578312673ae6fa5b5096b330d9fbac3d116df',
    version: 'v4.2.1',
  },
  changesets: { repo: 'changesets/action', sha: 'c8bada60c408975afd1a20b3db81d6eee6789308', version: 'v1.4.9' },
  createGithubAppToken: {
    repo: 'actions/create-github-app-token',
    sha: 'df432ceedc7162793a195dd1713ff69aefc7379e',
    version: 'v2.0.6',
  },
  setupBuildx: {
    repo: 'docker/setup-buildx-action',
    sha: 'e468171a9de216ec08956ac3ada2f0791b6bd435',
    version: 'v3.11.1',
  },
  dockerLogin: { repo: 'docker/login-action', sha: '5e57cd118135c172c3672efd75eb46360885c0ef', version: 'v3.6.0' },
  buildPush: { repo: 'docker/build-push-action', sha: '263435318d21b8e681c14492fe198d362a7d2c83', version: 'v6.18.0' },
  trivy: { repo: 'aquasecurity/trivy-action', sha: '57a97c7e7821a5776cebc9bb87c984fa69cba8f1', version: 'v0.35.0' },
  uploadSarif: {
    repo: 'github/codeql-action/upload-sarif',
    sha: 'ff0a06e83cb2de871e5a09832bc6a81e7276941f',
    version: 'v3.28.18',
  },
  attestBuildProvenance: {
    repo: 'actions/attest-build-provenance',
    sha: 'e8998f949152b193b063cb0ec769d69d929409be',
    version: 'v2.4.0',
  },
  dependencyReview: {
    repo: 'actions/dependency-review-action',
    sha: 'da24556b548a50705dd671f47852072ea4c105d9',
    version: 'v4.6.0',
  },
  createPullRequest: {
    repo: 'peter-evans/create-pull-request',
    sha: '271a8d0340265f705b14b6d32b9829c1cb33d45e',
    version: 'v7.0.8',
  },
} as const;

export type ActionName = keyof typeof ACTIONS;

/** The `uses:` value of an action: its repository at the pinned commit. */
export function uses(name: ActionName): string {
  const a = ACTIONS[name];
  return `${a.repo}@${a.sha}`;
}

/** Appends `# <version>` to every pinned `uses:` line of a rendered workflow (YAML values carry no comments). */
export function annotateVersions(yaml: string): string {
  return yaml.replace(
    /^(\s*(?:-\s+)?uses:\s+)(\S+)@([0-9a-f]{40})\s*$/gm,
    (line, prefix: string, repo: string, sha: string) => {
      const pinned = Object.values(ACTIONS).find((a) => a.repo === repo && a.sha === sha);
      return pinned ? `${prefix}${repo}@${sha} # ${pinned.version}` : line;
    },
  );
}
