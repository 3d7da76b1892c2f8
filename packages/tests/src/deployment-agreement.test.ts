/**
 * The AWS stacks (CDK) and the cluster's manifests (cdk8s, committed under
 * packages/kubernetes/manifests) are deployed by different tools at different times; what one
 * names, the other must create. These tests compare the two outputs of the same environment, as
 * they land in git: the synthesized CloudFormation and the committed YAML (decision 0007).
 */
import { deploymentNames, ENVIRONMENT_NAMES, type EnvironmentName, imageTags, PLATFORM } from '@aerial/contracts';
import { buildApp } from '@aerial/infra';
import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

const REPO = join(__dirname, '..', '..', '..');

interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: Record<string, unknown>;
  [key: string]: unknown;
}

interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
}

/** Every object of an environment's committed manifests. */
function manifests(env: EnvironmentName): KubeObject[] {
  const dir = join(REPO, PLATFORM.manifestsDir, env);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJSON() as KubeObject))
    .filter((o): o is KubeObject => o !== null && typeof o === 'object' && 'kind' in o);
}

/** Every resource of every stack of an environment (asset bundling skipped: only names matter). */
function cloudFormation(app: App, env: EnvironmentName): CfnResource[] {
  const stage = app.node.findChild(env);
  const stacks = stage.node.children.filter((c): c is Stack => 'templateOptions' in c);
  return stacks.flatMap((stack) => {
    const template = Template.fromStack(stack).toJSON() as { Resources?: Record<string, CfnResource> };
    return Object.values(template.Resources ?? {});
  });
}

/** All string leaves of a JSON value, with CloudFormation intrinsics left as they are. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

function propertiesOf(resources: CfnResource[], type: string): Record<string, unknown>[] {
  return resources.filter((r) => r.Type === type).map((r) => r.Properties ?? {});
}

/** Manifests CDK applies with kubectl (the Argo CD root among them), parsed from their JSON strings. */
function cdkManifests(resources: CfnResource[]): KubeObject[] {
  return resources
    .filter((r) => r.Type === 'Custom::AWSCDK-EKS-KubernetesResource')
    .flatMap((r) => {
      const manifest = r.Properties?.Manifest;
      const text = typeof manifest === 'string' ? manifest : strings(manifest).join('');
      try {
        return JSON.parse(text) as KubeObject[];
      } catch {
        return [];
      }
    });
}

/** Every container of every pod template in the manifests, with the image it runs. */
function images(objects: KubeObject[]): string[] {
  const found: string[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      if (typeof record.image === 'string' && typeof record.name === 'string') found.push(record.image);
      Object.values(record).forEach(walk);
    }
  };
  walk(objects);
  return found;
}

const app = buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [] } }));

describe.each(ENVIRONMENT_NAMES)('%s: the manifests name what CDK creates', (env) => {
  const names = deploymentNames(env);
  const objects = manifests(env);
  const resources = cloudFormation(app, env);
  const manifestText = objects.map((o) => JSON.stringify(o)).join('\n');

  test('every service account that calls AWS has a Pod Identity association, and every association a service account', () => {
    const associations = propertiesOf(resources, 'AWS::EKS::PodIdentityAssociation').map(
      (p) => `${String(p.Namespace)}/${String(p.ServiceAccount)}`,
    );
    const expected = Object.values(names.podIdentities).map((p) => `${p.namespace}/${p.serviceAccount}`);
    expect(associations.sort()).toEqual([...expected].sort());

    // Service accounts the manifests create in the platform's namespaces, and the one
    // CloudNativePG creates for the Cluster (named after it).
    const serviceAccounts = objects
      .filter((o) => o.kind === 'ServiceAccount')
      .map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
    const pgClusters = objects
      .filter((o) => o.kind === 'Cluster' && o.apiVersion.startsWith('postgresql.cnpg.io'))
      .map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
    for (const identity of [names.podIdentities.pipeline, names.podIdentities.hub]) {
      expect(serviceAccounts).toContain(`${identity.namespace}/${identity.serviceAccount}`);
    }
    expect(pgClusters).toContain(
      `${names.podIdentities.postgisBackup.namespace}/${names.podIdentities.postgisBackup.serviceAccount}`,
    );
    // No role ARN in any manifest: Pod Identity needs none, and an ARN would carry an account id.
    expect(manifestText).not.toMatch(/eks\.amazonaws\.com\/role-arn|arn:aws:iam::/);
  });

  test('every bucket a manifest names is a bucket CDK creates', () => {
    const buckets = propertiesOf(resources, 'AWS::S3::Bucket').map((p) => p.BucketName);
    const named = [...manifestText.matchAll(/s3:\/\/([a-z0-9.-]+)/g)].map((m) => m[1]);
    expect(named.length).toBeGreaterThan(0);
    for (const bucket of new Set(named)) expect(buckets).toContain(bucket);
  });

  test('every secret External Secrets reads is a secret CDK creates', () => {
    const secrets = propertiesOf(resources, 'AWS::SecretsManager::Secret').map((p) => p.Name);
    const read = objects
      .filter((o) => o.kind === 'ExternalSecret')
      .flatMap((o) =>
        ((o.spec?.data as { remoteRef: { key: string } }[] | undefined) ?? []).map((d) => d.remoteRef.key),
      );
    expect(read.length).toBeGreaterThan(0);
    for (const key of new Set(read)) expect(secrets).toContain(key);
  });

  test("Karpenter's node class names the node role CDK creates and selects subnets and security groups CDK tags", () => {
    const nodeClass = objects.find((o) => o.kind === 'EC2NodeClass');
    expect(nodeClass).toBeDefined();
    const spec = nodeClass!.spec as {
      role: string;
      subnetSelectorTerms: { tags: Record<string, string> }[];
      securityGroupSelectorTerms: { tags: Record<string, string> }[];
    };
    const roles = propertiesOf(resources, 'AWS::IAM::Role').map((p) => p.RoleName);
    expect(roles).toContain(spec.role);

    const tagged = (type: string, tags: Record<string, string>) =>
      propertiesOf(resources, type).filter((p) =>
        Object.entries(tags).every(([key, value]) =>
          ((p.Tags as { Key: string; Value: unknown }[] | undefined) ?? []).some(
            (t) => t.Key === key && t.Value === value,
          ),
        ),
      );
    for (const term of spec.subnetSelectorTerms)
      expect(tagged('AWS::EC2::Subnet', term.tags).length).toBeGreaterThan(1);
    for (const term of spec.securityGroupSelectorTerms)
      expect(tagged('AWS::EC2::SecurityGroup', term.tags).length).toBeGreaterThan(0);
  });

  test('the Argo CD root CDK creates points at a folder that exists in git at the revision it tracks', () => {
    const roots = cdkManifests(resources).filter((o) => o.kind === 'Application');
    expect(roots).toHaveLength(1);
    const source = roots[0]!.spec!.source as {
      repoURL: string;
      targetRevision: string;
      path: string;
      directory?: { include?: string };
    };
    expect(source).toMatchObject({
      repoURL: names.gitops.repoUrl,
      targetRevision: names.gitops.revision,
      path: names.gitops.path,
    });
    const include = source.directory?.include ?? '';
    expect(include).toBe('apps.k8s.yaml');
    const revision = gitRevision(source.targetRevision);
    if (revision === undefined) {
      console.warn(`skipped: no local ref for ${source.targetRevision}; checked the working tree instead`);
      expect(existsSync(join(REPO, source.path, include))).toBe(true);
    } else {
      expect(() =>
        execFileSync('git', ['cat-file', '-e', `${revision}:${source.path}/${include}`], { cwd: REPO }),
      ).not.toThrow();
    }
    // The children live in git; the root is CDK's alone.
    const children = objects.filter((o) => o.kind === 'Application');
    expect(children.map((o) => o.metadata.name)).not.toContain(roots[0]!.metadata.name);
  });

  test("the platform's images come from the project registry, each with a Dockerfile and a release build", () => {
    const ours = (image: string) => /\/aerial-[a-z-]+:/.test(image);
    const k8sImages = images(objects).filter(ours);
    const batchImages = propertiesOf(resources, 'AWS::Batch::JobDefinition')
      .flatMap((p) => strings((p.ContainerProperties as Record<string, unknown> | undefined)?.Image))
      .filter(ours);
    expect(k8sImages.length).toBeGreaterThan(0);
    expect(batchImages.length).toBeGreaterThan(0);
    const workflows = readdirSync(join(REPO, '.github', 'workflows'))
      .map((f) => readFileSync(join(REPO, '.github', 'workflows', f), 'utf8'))
      .join('\n');
    // Both engines run the same release: the tag image-tags.json names for this environment.
    for (const image of new Set([...k8sImages, ...batchImages])) {
      expect(image.startsWith(`${PLATFORM.imageRegistry}/`)).toBe(true);
      expect(image.endsWith(`:${imageTags()[env]}`)).toBe(true);
      const name = image.slice(PLATFORM.imageRegistry.length + 1).split(':')[0]!;
      const dockerfile =
        name === 'aerial-hub'
          ? join(REPO, 'apps', 'hub', 'Dockerfile')
          : join(REPO, 'apps', 'workers', 'images', name, 'Dockerfile');
      expect({ name, dockerfile: existsSync(dockerfile) }).toEqual({ name, dockerfile: true });
      expect({ name, built: workflows.includes(name) }).toEqual({ name, built: true });
    }
  });

  test('no placeholder survives in the manifests', () => {
    for (const placeholder of [
      /ACCOUNT_ID/,
      /registry\.aerial\.internal/,
      /REPLACE[_-]?ME/i,
      /\b\d{12}\b/,
      /<account>/i,
    ])
      expect(manifestText).not.toMatch(placeholder);
  });
});

/** A local ref for the revision Argo CD tracks (the branch itself, or its remote-tracking copy). */
function gitRevision(revision: string): string | undefined {
  for (const ref of [`refs/heads/${revision}`, `refs/remotes/origin/${revision}`]) {
    try {
      execFileSync('git', ['rev-parse', '--verify', '--quiet', ref], { cwd: REPO, stdio: 'ignore' });
      return ref;
    } catch {
      // try the next
    }
  }
  return undefined;
}
