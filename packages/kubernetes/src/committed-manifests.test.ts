import { deploymentNames, ENVIRONMENT_NAMES, imageTags, PLATFORM } from '@aerial/contracts';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { APPS_CHART, chartFile } from './app';
import { COMMITTED, readManifests, synthesize } from './test-support/manifests';

/**
 * Over what is in git: Argo CD syncs `manifests/<env>/` at `main`, not what synth would write,
 * so these read the committed files.
 */
describe.each([...ENVIRONMENT_NAMES])('committed manifests of %s', (name) => {
  const folder = join(COMMITTED, name);
  const names = deploymentNames(name);
  const committed = () => readManifests(folder);
  const applications = () => committed().filter((m) => m.object.kind === 'Application');

  test('are what synth writes now (run "nx run kubernetes:synth" after a change)', () => {
    const { dir } = synthesize(name);
    try {
      expect(readdirSync(folder).sort()).toEqual(readdirSync(dir).sort());
      for (const file of readdirSync(dir))
        expect({ file, yaml: readFileSync(join(folder, file), 'utf8') }).toEqual({
          file,
          yaml: readFileSync(join(dir, file), 'utf8'),
        });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('carry no placeholder: no account id, made-up registry, role ARN, REPLACE or TODO', () => {
    for (const file of readdirSync(folder)) {
      const text = readFileSync(join(folder, file), 'utf8');
      for (const placeholder of [
        /ACCOUNT_ID/,
        /registry\.aerial\.internal/,
        /role-arn/,
        /arn:aws:/,
        /\b\d{12}\b/,
        /REPLACE/i,
        /TODO/,
        /\.invalid\b/,
        /CHANGE_?ME/i,
      ])
        expect({ file, found: text.match(placeholder)?.[0] }).toEqual({ file, found: undefined });
      // No reserved example domain: the Hub's host comes from PLATFORM.domain.
      expect({ file, example: text.match(/[\w.-]+\.(example|invalid|test)\b/)?.[0] }).toEqual({
        file,
        example: undefined,
      });
    }
  });

  test('every image is the project registry at the environment tag, or a pinned upstream image', () => {
    const tags = imageTags();
    const images = committed()
      .map((m) => JSON.stringify(m.object))
      .flatMap((text) => [...text.matchAll(/"(?:image|imageName)":"([^"]+)"/g)].map((x) => x[1]!));
    expect(images.length).toBeGreaterThan(10);
    for (const image of images)
      if (image.startsWith(`${PLATFORM.imageRegistry}/`)) expect(image).toMatch(new RegExp(`:${tags[name]}$`));
      else expect(image).toMatch(/^[\w.-]+(\/[\w.-]+)*:(?!latest$)[\w.-]+$/);
  });

  test('no Application is the root (CDK makes aerial-<env>); each name is unique', () => {
    const appNames = applications().map((m) => m.object.metadata.name);
    expect(appNames).not.toContain(names.prefix);
    expect(new Set(appNames).size).toBe(appNames.length);
    expect(applications().every((m) => m.file === chartFile(APPS_CHART))).toBe(true);
  });

  test('the root syncs a folder that exists, and every child points at a file in it, at the same repository and revision', () => {
    expect(`${names.gitops.path}/${chartFile(APPS_CHART)}`).toBe(`packages/kubernetes/manifests/${name}/apps.k8s.yaml`);
    expect(existsSync(join(folder, chartFile(APPS_CHART)))).toBe(true);
    const files = applications()
      .map(
        (m) =>
          m.object.spec!.source as {
            repoURL: string;
            targetRevision: string;
            path?: string;
            directory?: { include: string };
          },
      )
      .filter((source) => source.path !== undefined);
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const source of files) {
      expect(source).toMatchObject({
        repoURL: names.gitops.repoUrl,
        targetRevision: names.gitops.revision,
        path: names.gitops.path,
      });
      expect({ file: source.directory!.include, exists: existsSync(join(folder, source.directory!.include)) }).toEqual({
        file: source.directory!.include,
        exists: true,
      });
    }
    // Every chart file is synced by some child (nothing committed is left out).
    const synced = new Set(files.map((s) => s.directory!.include));
    for (const file of readdirSync(folder).filter((f) => f !== chartFile(APPS_CHART))) expect(synced).toContain(file);
  });

  test('service accounts that get an IAM role are exactly the Pod Identity pairs; CloudNativePG names its own after the Cluster', () => {
    const objects = committed().map((m) => m.object);
    const serviceAccounts = objects
      .filter((o) => o.kind === 'ServiceAccount')
      .map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
    const { pipeline, hub, postgisBackup, externalSecrets } = names.podIdentities;
    expect(serviceAccounts).toEqual(
      expect.arrayContaining([
        `${pipeline.namespace}/${pipeline.serviceAccount}`,
        `${hub.namespace}/${hub.serviceAccount}`,
      ]),
    );
    const cluster = objects.find((o) => o.kind === 'Cluster')!;
    expect(`${cluster.metadata.namespace}/${cluster.metadata.name}`).toBe(
      `${postgisBackup.namespace}/${postgisBackup.serviceAccount}`,
    );
    const eso = objects.find((o) => o.kind === 'Application' && o.metadata.name.endsWith('-external-secrets'))!;
    expect(eso.spec).toMatchObject({
      destination: { namespace: externalSecrets.namespace },
      source: { helm: { valuesObject: { serviceAccount: { name: externalSecrets.serviceAccount } } } },
    });
  });
});
