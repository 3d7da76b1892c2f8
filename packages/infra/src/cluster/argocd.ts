import { CLUSTER_NAMESPACES, type DeploymentNames } from '@aerial/contracts';
import { SYSTEM_TOLERATIONS } from './versions';

/** The only file of an environment's manifests folder the root syncs: the child Applications. */
export const ROOT_INCLUDE = 'apps.k8s.yaml';

/**
 * Argo CD has had no health check for `Application` since 1.8, so a parent app of apps does not
 * wait for a child's sync wave to become healthy. Argo CD's documentation (operator-manual/
 * health.md, "Argocd App") restores it with this Lua in `argocd-cm`; it is copied unchanged.
 */
export const APPLICATION_HEALTH_LUA = `hs = {}
hs.status = "Progressing"
hs.message = ""
if obj.status ~= nil then
  if obj.status.health ~= nil then
    hs.status = obj.status.health.status
    if obj.status.health.message ~= nil then
      hs.message = obj.status.health.message
    end
  end
end
return hs
`;

/** Helm values of the argo-cd chart: on the tainted system nodes, Application health restored, no Dex. */
export function argoCdValues(): Record<string, unknown> {
  return {
    global: { tolerations: SYSTEM_TOLERATIONS },
    dex: { enabled: false },
    configs: {
      params: { 'server.insecure': false },
      cm: { 'resource.customizations.health.argoproj.io_Application': APPLICATION_HEALTH_LUA },
    },
  };
}

/**
 * The root Argo CD Application of an environment, `aerial-<env>` (its children are
 * `aerial-<env>-<component>`): it syncs only `apps.k8s.yaml` of the environment's committed
 * manifests, at the branch every environment tracks. Automated sync is for dev; other
 * environments sync by hand.
 */
export function appOfApps(names: DeploymentNames, autoSync: boolean): Record<string, unknown> {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name: names.prefix,
      namespace: CLUSTER_NAMESPACES.argocd,
      finalizers: ['resources-finalizer.argocd.argoproj.io'],
    },
    spec: {
      project: 'default',
      source: {
        repoURL: names.gitops.repoUrl,
        targetRevision: names.gitops.revision,
        path: names.gitops.path,
        directory: { include: ROOT_INCLUDE },
      },
      destination: { server: 'https://kubernetes.default.svc', namespace: CLUSTER_NAMESPACES.argocd },
      syncPolicy: autoSync
        ? { automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=true'] }
        : { syncOptions: ['CreateNamespace=true'] },
    },
  };
}
