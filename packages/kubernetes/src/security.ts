/**
 * The restricted Pod Security Standard, once: every container of every chart goes through these,
 * so that no chart can forget a field. Writable paths are emptyDir volumes.
 */
export const RESTRICTED_CONTAINER = {
  runAsNonRoot: true,
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
} as const;

export function restrictedPod(uid = 1000): Record<string, unknown> {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    fsGroup: uid,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Requests equal to limits for memory (no overcommit), CPU limit at twice the request. */
export function resources(cpu: string, memory: string): Record<string, unknown> {
  const limitCpu = cpu.endsWith('m') ? `${Number.parseInt(cpu, 10) * 2}m` : String(Number(cpu) * 2);
  return { requests: { cpu, memory }, limits: { cpu: limitCpu, memory } };
}

/** Labels of the restricted Pod Security Standard, enforced and audited. */
export const RESTRICTED_NAMESPACE_LABELS = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/enforce-version': 'latest',
  'pod-security.kubernetes.io/audit': 'restricted',
  'pod-security.kubernetes.io/warn': 'restricted',
} as const;
