import { CLUSTER_NAMESPACES, ENVIRONMENT_NAMES } from '@aerial/contracts';
import { rmSync } from 'node:fs';
import { EXECUTOR_SECURITY_CONTEXT } from './argo-workflows';
import { type ArgoExecutor, clusterPods, type ManifestObject } from './cluster-pods';
import { PLATFORM_NAMESPACES } from './charts/namespaces-chart';
import { restrictedViolations } from './pod-security-restricted';
import { synthesize } from './test-support/manifests';

/** The executor settings shipped in the argo-workflows child Application's Helm values. */
function shippedExecutor(objects: ManifestObject[]): ArgoExecutor {
  const app = objects.find((o) => o.kind === 'Application' && o.metadata.name.endsWith('-argo-workflows'));
  const values = (app?.spec?.source as { helm?: { valuesObject?: { executor?: ArgoExecutor } } } | undefined)?.helm
    ?.valuesObject;
  if (!values?.executor) throw new Error('the argo-workflows Application ships no executor values');
  return values.executor;
}

describe.each([...ENVIRONMENT_NAMES])('Pod Security "restricted" over every pod of %s', (name) => {
  let objects: ManifestObject[];
  let dir: string;
  beforeAll(() => ({ dir, objects } = synthesize(name)));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('the platform namespaces enforce restricted', () => {
    for (const ns of PLATFORM_NAMESPACES)
      expect(objects.find((o) => o.kind === 'Namespace' && o.metadata.name === ns)?.metadata).toMatchObject({
        labels: { 'pod-security.kubernetes.io/enforce': 'restricted' },
      });
  });

  test('the argo-workflows chart gets the executor security context the checks below use', () => {
    expect(shippedExecutor(objects)).toMatchObject({ securityContext: EXECUTOR_SECURITY_CONTEXT });
  });

  test('every workload pod and every workflow pod (main, and the init and wait containers Argo injects) is admitted', () => {
    const pods = clusterPods(objects, shippedExecutor(objects));
    const workflowPods = pods.filter((p) => p.where.startsWith('WorkflowTemplate/'));
    expect(workflowPods.length).toBeGreaterThanOrEqual(10);
    for (const p of workflowPods)
      expect([...(p.spec.initContainers ?? []), ...(p.spec.containers ?? [])].map((c) => c.name)).toEqual([
        'init',
        'wait',
        'main',
      ]);
    expect(pods.map((p) => p.where)).toEqual(
      expect.arrayContaining(['Deployment/aerial-hub', 'StatefulSet/mosquitto']),
    );
    for (const p of pods) {
      expect(PLATFORM_NAMESPACES).toContain(p.namespace);
      expect({ pod: p.where, violations: restrictedViolations(p.spec) }).toEqual({ pod: p.where, violations: [] });
    }
  });

  test('without the executor settings the workflow pods would be refused (the check has teeth)', () => {
    const refused = clusterPods(objects, {}).filter((p) => restrictedViolations(p.spec).length > 0);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((p) => p.namespace === CLUSTER_NAMESPACES.pipeline)).toBe(true);
  });
});
