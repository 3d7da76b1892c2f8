import { ApiObject, type Chart } from 'cdk8s';

/** Any Kubernetes object as plain JSON (validated against its schema in the tests). */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

const PART_OF = { 'app.kubernetes.io/part-of': 'aerial-platform', 'app.kubernetes.io/managed-by': 'cdk8s' };

/** Adds objects to a chart under stable ids (kind/name), with the platform's common labels. */
export function add(chart: Chart, ...objects: KubeObject[]): void {
  for (const o of objects) {
    const { apiVersion, kind, metadata, ...rest } = o;
    new ApiObject(chart, `${kind}-${metadata.namespace ?? 'cluster'}-${metadata.name}`, {
      apiVersion,
      kind,
      metadata: { ...metadata, labels: { ...PART_OF, ...metadata.labels } },
      ...rest,
    });
  }
}

/** A NetworkPolicy that lets `from` pods (by namespace and labels) reach `to` pods on `ports`. */
export function allow(
  name: string,
  namespace: string,
  to: Record<string, string>,
  from: { namespace: string; labels?: Record<string, string> }[],
  ports: number[],
): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace },
    spec: {
      podSelector: { matchLabels: to },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: from.map((f) => ({
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': f.namespace } },
            ...(f.labels ? { podSelector: { matchLabels: f.labels } } : {}),
          })),
          ports: ports.map((port) => ({ protocol: 'TCP', port })),
        },
      ],
    },
  };
}

/**
 * Where the EKS Pod Identity agent hands pods their credentials: a link-local address on every
 * node, port 80 (EKS user guide, "EKS Pod Identity"). The VPC CNI enforces NetworkPolicies on
 * link-local traffic too, so without this rule no pod would get its role.
 */
export const POD_IDENTITY_AGENT = { cidrs: ['169.254.170.23/32', 'fd00:ec2::23/128'], port: 80 } as const;

/**
 * Pods of a namespace may reach DNS, the Pod Identity agent (their AWS credentials), each other's
 * allowed services and HTTPS (AWS APIs, S3).
 */
export function egress(namespace: string, extraPorts: number[] = []): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'allow-egress', namespace },
    spec: {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
        {
          to: POD_IDENTITY_AGENT.cidrs.map((cidr) => ({ ipBlock: { cidr } })),
          ports: [{ protocol: 'TCP', port: POD_IDENTITY_AGENT.port }],
        },
        { ports: [443, ...extraPorts].map((port) => ({ protocol: 'TCP', port })) },
      ],
    },
  };
}
