import { type EnvironmentName } from '@aerial/contracts';
import { App, type Chart, YamlOutputType } from 'cdk8s';
import { ArgoCdChart, type ChildApp } from './charts/argocd-chart';
import { DataChart } from './charts/data-chart';
import { HubChart } from './charts/hub-chart';
import { KarpenterChart } from './charts/karpenter-chart';
import { NAMESPACES, NamespacesChart } from './charts/namespaces-chart';
import { PipelineChart } from './charts/pipeline-chart';
import { clusterSettings } from './settings';

/** The operators the charts' custom resources need, from their upstream Helm charts (pinned). */
const OPERATORS: ChildApp[] = [
  {
    name: 'argo-workflows',
    wave: -3,
    namespace: 'argo',
    source: { helm: { repoURL: 'https://argoproj.github.io/argo-helm', chart: 'argo-workflows', version: '0.45.27' } },
  },
  {
    name: 'cloudnative-pg',
    wave: -3,
    namespace: 'cnpg-system',
    source: {
      helm: { repoURL: 'https://cloudnative-pg.github.io/charts', chart: 'cloudnative-pg', version: '0.26.1' },
    },
  },
  {
    name: 'external-secrets',
    wave: -3,
    namespace: 'external-secrets',
    source: {
      helm: {
        repoURL: 'https://charts.external-secrets.io',
        chart: 'external-secrets',
        version: '0.20.4',
        values: { installCRDs: true },
      },
    },
  },
];

/**
 * One environment's manifests: a chart per component (one YAML file each in
 * `manifests/<env>/`) and the Argo CD Applications that sync them (`apps.k8s.yaml`).
 */
export function buildEnvironment(name: EnvironmentName, outdir: string): { app: App; charts: Chart[] } {
  const settings = clusterSettings(name);
  const app = new App({ outdir, yamlOutputType: YamlOutputType.FILE_PER_CHART });
  const charts: Chart[] = [
    new NamespacesChart(app, 'namespaces'),
    new KarpenterChart(app, 'karpenter', settings),
    new DataChart(app, 'data', settings),
    new PipelineChart(app, 'pipeline', settings),
    new HubChart(app, 'hub', settings),
  ];
  const children: ChildApp[] = [
    ...OPERATORS,
    { name: 'namespaces', wave: -2, namespace: NAMESPACES.hub, source: { file: 'namespaces.k8s.yaml' } },
    { name: 'karpenter', wave: -1, namespace: 'kube-system', source: { file: 'karpenter.k8s.yaml' } },
    { name: 'data', wave: 0, namespace: NAMESPACES.data, source: { file: 'data.k8s.yaml' } },
    { name: 'pipeline', wave: 1, namespace: NAMESPACES.pipeline, source: { file: 'pipeline.k8s.yaml' } },
    { name: 'hub', wave: 2, namespace: NAMESPACES.hub, source: { file: 'hub.k8s.yaml' } },
  ];
  charts.push(new ArgoCdChart(app, 'apps', settings, children));
  return { app, charts };
}
