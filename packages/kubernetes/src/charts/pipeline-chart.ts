import { AERIAL_PIPELINE, renderWorkflowTemplate } from '@aerial/pipeline';
import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import type { ClusterSettings } from '../settings';
import { NAMESPACES } from './namespaces-chart';
import { add, egress, type KubeObject } from './objects';

const ns = NAMESPACES.pipeline;
export const PIPELINE_SERVICE_ACCOUNT = 'aerial-pipeline';

/**
 * The pipeline on Argo Workflows: the WorkflowTemplate rendered from the same definition as the
 * ASL, its service account (IRSA: S3 through an IAM role, no keys), the RBAC Argo's executor
 * needs, and egress to the broker and AWS. Jobs are submitted by the Hub (Argo's API) with the
 * job id, preset and request as parameters; see docs/content/infrastructure.md.
 */
export class PipelineChart extends Chart {
  constructor(scope: Construct, id: string, s: ClusterSettings) {
    super(scope, id);
    const template = renderWorkflowTemplate(AERIAL_PIPELINE, {
      name: 'aerial-job',
      namespace: ns,
      registry: s.registry,
      imageTag: s.imageTag,
      serviceAccountName: PIPELINE_SERVICE_ACCOUNT,
      objectStore: `s3://${s.workBucket}`,
      environment: s.environment.name,
    });
    add(
      this,
      {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: {
          name: PIPELINE_SERVICE_ACCOUNT,
          namespace: ns,
          annotations: { 'eks.amazonaws.com/role-arn': s.pipelineRoleArn },
        },
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
        subjects: [{ kind: 'ServiceAccount', name: PIPELINE_SERVICE_ACCOUNT, namespace: ns }],
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
