/**
 * Where pods run. System nodes (managed node group, arm64) carry `CriticalAddonsOnly=true:NoSchedule`
 * so that only the operators that tolerate it land there; the platform's own images are amd64
 * only and run on Karpenter's nodes, which this selector picks.
 */
export const WORKLOAD_NODE_SELECTOR = { 'kubernetes.io/arch': 'amd64' } as const;

/** Operators (Argo Workflows, CloudNativePG, External Secrets) may run on the system nodes. */
export const SYSTEM_NODE_TOLERATIONS = [{ key: 'CriticalAddonsOnly', operator: 'Exists', effect: 'NoSchedule' }];

/** Label and taint of Karpenter's GPU pool; only GPU stages and the device plugin go there. */
export const GPU_NODE_LABEL = { 'aerial.dev/accelerator': 'nvidia-gpu' } as const;
export const GPU_TAINT = { key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' } as const;
export const GPU_TOLERATIONS = [{ key: GPU_TAINT.key, operator: 'Exists', effect: 'NoSchedule' }];
