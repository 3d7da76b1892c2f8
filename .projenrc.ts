import { AerialMonorepo } from './projenrc';

const repo = new AerialMonorepo({ name: 'aerial-platform' });

const contracts = repo.addPackage({
  name: 'contracts',
  outdir: 'packages/contracts',
  description: 'Schemas and types shared by every Aerial package: jobs, events, topics, errors, environments',
  deps: { zod: '^4.1.0' },
});

repo.addPackage({
  name: 'tools',
  outdir: 'tools',
  description: 'Repository tooling: projen components tests, CI helpers, service setup, benchmarks',
  library: false,
  testRoots: ['repo', '../projenrc'],
  workspaceInputs: ['.projenrc.ts', 'projenrc/**/*', '.github/**/*', '.ci/**/*', 'README.md'],
  devDeps: { ajv: '^8.17.0', yaml: '^2.8.0' },
  testTimeout: 300_000,
});

repo.addPackage({
  name: 'docs',
  outdir: 'docs',
  description: 'The Aerial Platform documentation site: architecture, decisions, runbooks, API reference',
  workspaceDeps: [contracts],
  implicitDependencies: 'all-others',
  deps: { marked: '^18.0.0' },
  esmOnlyDeps: ['marked'],
  postBuild: 'node lib/build-site.js',
});

repo.synth();
