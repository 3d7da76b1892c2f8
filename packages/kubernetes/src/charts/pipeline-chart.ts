import { type BROKER_USERS, CLUSTER_BROKER, CLUSTER_NAMESPACES, PIPELINE_NAME, PLATFORM } from '@aerial/contracts';
import {
  AERIAL_PIPELINE,
  assertStagesFitJobTimeout,
  deployedDefinition,
  renderAsl,
  renderWorkflowTemplate,
} from '@aerial/definition';
import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { WORKLOAD_NODE_SELECTOR } from '../placement';
import type { ClusterSettings } from '../settings';
import { SECRET_STORE } from './addons-chart';
import { add, egress, type KubeObject } from './objects';

/** The WorkflowTemplate the Hub submits jobs from. */
export const WORKFLOW_TEMPLATE = PIPELINE_NAME;

/**
 * The pipeline on Argo Workflows: the WorkflowTemplate rendered from the same definition as the
 * ASL, its service account (S3 through the IAM role EKS Pod Identity associates with it, no
 * keys), the RBAC Argo's executor needs, and egress to the broker and AWS. Jobs are submitted by
 * the Hub (Argo's API) with the job id, preset and request as parameters; see
 * docs/content/infrastructure.md.
 */
export class PipelineChart extends Chart {
  constructor(scope: Construct, id: string, s: ClusterSettings) {
    super(scope, id);
    const identity = s.names.podIdentities.pipeline;
    const ns = CLUSTER_NAMESPACES.pipeline;
    // The environment's whole-job limit, as Step Functions has it; the stages must fit inside it.
    const definition = deployedDefinition(s.environment, AERIAL_PIPELINE);
    assertStagesFitJobTimeout(renderAsl(definition), `${s.environment.name} workflow`);
    const template = renderWorkflowTemplate(definition, {
      name: WORKFLOW_TEMPLATE,
      namespace: ns,
      registry: PLATFORM.imageRegistry,
      imageTag: s.imageTag,
      serviceAccountName: identity.serviceAccount,
      objectStore: `s3://${s.names.buckets.work}`,
      publishedStore: `s3://${s.names.buckets.published}`,
      environment: s.environment.name,
      nodeSelector: WORKLOAD_NODE_SELECTOR,
      brokerSecret: { name: STAGE_BROKER_SECRET, key: 'MQTT_URL' },
    });
    add(
      this,
      stageBrokerSecret(s),
      {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: identity.serviceAccount, namespace: identity.namespace },
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'aerial-pipeline-executor', namespace: ns },
        rules: [{ apiGroups: ['argoproj.io'], resources: ['workflowtaskresults'], verbs: ['create', 'patch'] }],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'aerial-pipeline-executor', namespace: ns },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'aerial-pipeline-executor' },
        subjects: [{ kind: 'ServiceAccount', name: identity.serviceAccount, namespace: identity.namespace }],
      },
      {
        ...(template as unknown as KubeObject),
        metadata: {
          ...template.metadata,
          annotations: { 'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true' },
        },
      },
      egress(ns, [1883]),
    );
  }
}

/** The Secret that gives stage pods `MQTT_URL`: they publish their own progress, as the engine. */
export const STAGE_BROKER_SECRET = 'aerial-stage-broker';

/** The broker URL of the `engine` user, composed in the cluster from its password (never in git). */
function stageBrokerSecret(s: ClusterSettings): KubeObject {
  const user: keyof typeof BROKER_USERS = 'engine';
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name: STAGE_BROKER_SECRET, namespace: CLUSTER_NAMESPACES.pipeline },
    spec: {
      refreshInterval: '1h',
      secretStoreRef: SECRET_STORE,
      target: {
        name: STAGE_BROKER_SECRET,
        creationPolicy: 'Owner',
        template: {
          data: { MQTT_URL: `mqtt://${user}:{{ .password }}@${CLUSTER_BROKER.host}:${CLUSTER_BROKER.port}` },
        },
      },
      data: [{ secretKey: 'password', remoteRef: { key: s.names.secrets.mqttEngine, property: 'password' } }],
    },
  };
}
