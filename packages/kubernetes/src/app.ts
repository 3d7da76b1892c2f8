import { CLUSTER_NAMESPACES, type EnvironmentName } from '@aerial/contracts';
import { App, type Chart, YamlOutputType } from 'cdk8s';
import { AddonsChart } from './charts/addons-chart';
import { ArgoCdChart, type ChildApp } from './charts/argocd-chart';
import { DataChart } from './charts/data-chart';
import { HubChart } from './charts/hub-chart';
import { KarpenterChart } from './charts/karpenter-chart';
import { NamespacesChart } from './charts/namespaces-chart';
import { PipelineChart } from './charts/pipeline-chart';
import { operatorApps } from './operators';
import { clusterSettings } from './settings';

/** The file of `manifests/<env>/` cdk8s writes a chart to (one file per chart). */
export const chartFile = (chartId: string): string => `${chartId}.k8s.yaml`;

/** The chart whose file the CDK-made root Application includes: the child Applications. */
export const APPS_CHART = 'apps';

/**
 * One environment's manifests: a chart per component (one YAML file each in
 * `manifests/<env>/`) and the Argo CD Applications that sync them (`apps.k8s.yaml`).
 */
export function buildEnvironment(name: EnvironmentName, outdir: string): { app: App; charts: Chart[] } {
  const settings = clusterSettings(name);
  const app = new App({ outdir, yamlOutputType: YamlOutputType.FILE_PER_CHART });
  const charts: Chart[] = [
    new NamespacesChart(app, 'namespaces'),
    new AddonsChart(app, 'addons', settings),
    new KarpenterChart(app, 'karpenter', settings),
    new DataChart(app, 'data', settings),
    new PipelineChart(app, 'pipeline', settings),
    new HubChart(app, 'hub', settings),
  ];
  const file = (id: string) => ({ file: chartFile(id) });
  const children: ChildApp[] = [
    ...operatorApps(settings.names),
    { name: 'namespaces', wave: -2, namespace: CLUSTER_NAMESPACES.hub, source: file('namespaces') },
    { name: 'addons', wave: -2, namespace: CLUSTER_NAMESPACES.system, source: file('addons') },
    { name: 'karpenter', wave: -1, namespace: CLUSTER_NAMESPACES.system, source: file('karpenter') },
    { name: 'data', wave: 0, namespace: CLUSTER_NAMESPACES.data, source: file('data') },
    { name: 'pipeline', wave: 1, namespace: CLUSTER_NAMESPACES.pipeline, source: file('pipeline') },
    { name: 'hub', wave: 2, namespace: CLUSTER_NAMESPACES.hub, source: file('hub') },
  ];
  charts.push(new ArgoCdChart(app, APPS_CHART, settings, children));
  return { app, charts };
}
