import { CLUSTER_NAMESPACES } from '@aerial/contracts';
import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { RESTRICTED_NAMESPACE_LABELS } from '../security';
import { add } from './objects';

/** The platform's own namespaces (the operators' namespaces come with their charts). */
export const PLATFORM_NAMESPACES = [
  CLUSTER_NAMESPACES.hub,
  CLUSTER_NAMESPACES.data,
  CLUSTER_NAMESPACES.pipeline,
] as const;

/** The platform's namespaces: restricted Pod Security Standard, and nothing reaches in by default. */
export class NamespacesChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    for (const name of PLATFORM_NAMESPACES) {
      add(
        this,
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { ...RESTRICTED_NAMESPACE_LABELS } } },
        {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: { name: 'default-deny', namespace: name },
          spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
        },
      );
    }
  }
}
