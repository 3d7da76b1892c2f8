import { CLUSTER_NAMESPACES } from '@aerial/contracts';
import { SYSTEM_NODE_TOLERATIONS } from './placement';
import { RESTRICTED_CONTAINER } from './security';

/**
 * Argo Workflows as installed by its Helm chart (argo-helm `charts/argo-workflows`), and the one
 * place its Service name, port and scheme are decided, so the Hub's URL and the chart agree.
 */
export const ARGO_WORKFLOWS_CHART = {
  repoURL: 'https://argoproj.github.io/argo-helm',
  chart: 'argo-workflows',
  version: '0.45.27',
  /** Set on the Argo CD Application; by default Argo CD would use the Application's name. */
  releaseName: 'aerial',
} as const;

/**
 * The server runs without its self-signed TLS (`server.secure: false`, chart default): the Hub
 * calls it inside the cluster, across a NetworkPolicy, and would otherwise have to skip
 * certificate verification, which is no better than plain HTTP.
 */
export const ARGO_SERVER = { secure: false, port: 2746 } as const;

/** The chart names the server `<fullname>-<server.name>` with fullname `<release>-argo-workflows`. */
export function argoServerUrl(): string {
  const service = `${ARGO_WORKFLOWS_CHART.releaseName}-${ARGO_WORKFLOWS_CHART.chart}-server`;
  return `${ARGO_SERVER.secure ? 'https' : 'http'}://${service}.${CLUSTER_NAMESPACES.argo}.svc:${ARGO_SERVER.port}`;
}

/**
 * Security context of the containers Argo injects into every workflow pod (`init`, `wait`): the
 * controller copies `executor.securityContext` onto them, and the chart leaves it empty, which the
 * `restricted` Pod Security level of the pipeline namespace refuses. 8737 is the user of the
 * non-root argoexec image (Argo Workflows, docs/workflow-pod-security-context.md); the emissary
 * makes /var/run/argo readable by the main container's other user (argo-workflows#6304).
 */
export const EXECUTOR_SECURITY_CONTEXT = {
  ...RESTRICTED_CONTAINER,
  runAsUser: 8737,
  runAsGroup: 8737,
};

const RESTRICTED_POD = { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };

/** Helm values of the argo-workflows chart (keys from its values.yaml). */
export function argoWorkflowsValues(): Record<string, unknown> {
  return {
    controller: {
      // Where the chart creates workflow RBAC; the pipeline chart brings its own service account.
      workflowNamespaces: [CLUSTER_NAMESPACES.pipeline],
      tolerations: SYSTEM_NODE_TOLERATIONS,
      podSecurityContext: RESTRICTED_POD,
    },
    workflow: { serviceAccount: { create: false }, rbac: { create: false } },
    executor: {
      securityContext: EXECUTOR_SECURITY_CONTEXT,
      resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
    },
    server: {
      secure: ARGO_SERVER.secure,
      servicePort: ARGO_SERVER.port,
      // The Hub calls the API with its own service account token (Kubernetes RBAC decides).
      extraArgs: ['--auth-mode=client'],
      tolerations: SYSTEM_NODE_TOLERATIONS,
      podSecurityContext: RESTRICTED_POD,
    },
  };
}
