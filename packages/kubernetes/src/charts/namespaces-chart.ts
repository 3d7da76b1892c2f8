import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { RESTRICTED_NAMESPACE_LABELS } from '../security';
import { add } from './objects';

export const NAMESPACES = { hub: 'aerial-hub', data: 'aerial-data', pipeline: 'aerial-pipeline' } as const;

/** The platform's namespaces: restricted Pod Security Standard, and nothing reaches in by default. */
export class NamespacesChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    for (const name of Object.values(NAMESPACES)) {
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
