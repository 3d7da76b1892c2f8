import { clusterPods, type ManifestObject } from './cluster-pods';

const executor = { securityContext: { runAsUser: 8737 } };
const workflowTemplate = (spec: Record<string, unknown>): ManifestObject => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'WorkflowTemplate',
  metadata: { name: 'wt', namespace: 'ns' },
  spec,
});

describe('clusterPods: the pods a cluster will run from the manifests', () => {
  test('a workflow container template becomes init + wait (executor settings) + main, with the shared emptyDir', () => {
    const [pod] = clusterPods(
      [
        workflowTemplate({
          securityContext: { runAsNonRoot: true },
          templates: [
            { name: 'dag', dag: { tasks: [] } },
            { name: 'step', container: { image: 'x:1' } },
          ],
        }),
      ],
      executor,
    );
    expect(pod).toEqual({
      where: 'WorkflowTemplate/wt/step',
      namespace: 'ns',
      spec: {
        securityContext: { runAsNonRoot: true },
        hostNetwork: undefined,
        volumes: [{ name: 'var-run-argo', emptyDir: {} }],
        initContainers: [{ name: 'init', securityContext: { runAsUser: 8737 } }],
        containers: [
          { name: 'wait', securityContext: { runAsUser: 8737 } },
          { name: 'main', image: 'x:1' },
        ],
      },
    });
  });

  test("a template's podSpecPatch is applied: containers merge by name, other fields deeply", () => {
    const [pod] = clusterPods(
      [
        workflowTemplate({
          templates: [
            {
              name: 'step',
              container: { image: 'x:1', securityContext: { runAsNonRoot: true } },
              podSpecPatch: JSON.stringify({
                hostNetwork: true,
                containers: [{ name: 'main', securityContext: { privileged: true } }],
              }),
            },
          ],
        }),
      ],
      executor,
    );
    expect(pod!.spec.hostNetwork).toBe(true);
    expect(pod!.spec.containers![1]).toEqual({
      name: 'main',
      image: 'x:1',
      securityContext: { runAsNonRoot: true, privileged: true },
    });
    expect(pod!.spec.containers![0]).toEqual({ name: 'wait', securityContext: { runAsUser: 8737 } });
  });

  test('pod templates of workload controllers, CronJobs included', () => {
    const podSpec = { containers: [{ name: 'c' }] };
    const pods = clusterPods(
      [
        {
          apiVersion: 'apps/v1',
          kind: 'DaemonSet',
          metadata: { name: 'd', namespace: 'n' },
          spec: { template: { spec: podSpec } },
        },
        {
          apiVersion: 'batch/v1',
          kind: 'CronJob',
          metadata: { name: 'c', namespace: 'n' },
          spec: { jobTemplate: { spec: { template: { spec: podSpec } } } },
        },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'm', namespace: 'n' } },
      ],
      {},
    );
    expect(pods.map((p) => p.where)).toEqual(['DaemonSet/d', 'CronJob/c']);
  });
});
