import { CLUSTER_NAMESPACES, PIPELINE_NAME, PLATFORM } from '@aerial/contracts';
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
    });
    add(
      this,
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
