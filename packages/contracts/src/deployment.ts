import type { EnvironmentName } from './environment';

/**
 * Names that cross from the AWS stacks (aws-cdk-lib) to the Kubernetes manifests (cdk8s), the
 * images and the workflows. Each is spelled here once; CDK sets physical names from it and the
 * manifests refer to the same values, so a rename cannot leave one side behind (the
 * cross-artifact tests in @aerial/tests compare both outputs). Nothing account-specific lives
 * here: roles reach pods through EKS Pod Identity (no role ARN in a manifest), and images come
 * from the project's public registry.
 */
export const PLATFORM = {
  /** GitHub repository: Argo CD syncs from it, Actions assumes the deploy role from it. */
  github: { owner: 'aerial-platform', repo: 'aerial-platform' },
  gitRepoUrl: 'https://github.com/aerial-platform/aerial-platform.git',
  /** Branch every environment's Argo CD root tracks; prod differs by manual sync and pinned image tags. */
  gitRevision: 'main',
  /** Folder of the synthesized manifests in git, one subfolder per environment. */
  manifestsDir: 'packages/kubernetes/manifests',
  /** Where the release workflow pushes every image (public, so Batch and EKS pull without credentials). */
  imageRegistry: 'ghcr.io/aerial-platform/aerial-platform',
  /**
   * S3 bucket names are global: this prefix makes them ours. A fork or a second organisation
   * changes it here (and only here).
   */
  bucketNamespace: 'aerial-platform',
  /**
   * The DNS domain the platform answers on: the Hub's host names and the domain job email is
   * sent from. A deployment that uses another domain changes it here (and only here).
   */
  domain: 'aerial-platform.org',
} as const;

/** Kubernetes namespaces of the platform and of the operators it installs. */
export const CLUSTER_NAMESPACES = {
  hub: 'aerial-hub',
  data: 'aerial-data',
  pipeline: 'aerial-pipeline',
  argo: 'argo',
  argocd: 'argocd',
  externalSecrets: 'external-secrets',
  system: 'kube-system',
} as const;

/** The in-cluster MQTT broker (Mosquitto, in the data namespace), as its clients address it. */
export const CLUSTER_BROKER = { host: `mosquitto.${CLUSTER_NAMESPACES.data}.svc`, port: 1883 } as const;

/** A Kubernetes service account that is given an IAM role through an EKS Pod Identity association. */
export interface PodIdentityName {
  readonly namespace: string;
  readonly serviceAccount: string;
  /** IAM role name (unique per account, so it may be fixed). */
  readonly roleName: string;
}

export interface DeploymentNames {
  readonly environment: EnvironmentName;
  /** Prefix of every named resource of the environment (`aerial-dev`). */
  readonly prefix: string;
  readonly clusterName: string;
  readonly stateMachine: string;
  readonly buckets: {
    readonly work: string;
    readonly uploads: string;
    readonly published: string;
    readonly backups: string;
  };
  readonly topics: {
    readonly jobNotifications: string;
    readonly alarmsCritical: string;
    readonly alarmsWarning: string;
  };
  readonly queues: { readonly karpenterInterruption: string };
  readonly roles: { readonly karpenterNode: string; readonly githubDeploy: string };
  /** AWS Secrets Manager secrets that External Secrets copies into the cluster. */
  readonly secrets: {
    readonly hub: string;
    readonly postgis: string;
    readonly mqtt: string;
    /** The password stage pods publish their progress with, as the broker's `engine` user. */
    readonly mqttEngine: string;
  };
  /** Pods that call AWS, by purpose. */
  readonly podIdentities: {
    readonly pipeline: PodIdentityName;
    readonly hub: PodIdentityName;
    readonly postgisBackup: PodIdentityName;
    readonly externalSecrets: PodIdentityName;
    readonly karpenter: PodIdentityName;
    readonly ebsCsi: PodIdentityName;
    readonly loadBalancerController: PodIdentityName;
  };
  /** Tag Karpenter selects the cluster's subnets and security groups by. */
  readonly discoveryTag: { readonly key: 'karpenter.sh/discovery'; readonly value: string };
  /** The Hub's public host name (the Ingress; its ACM certificate is found by it). */
  readonly hubHost: string;
  /** The domain job email is sent from (an SES identity; `noreply@<mailDomain>`). */
  readonly mailDomain: string;
  /** What Argo CD's root Application of this environment syncs. */
  readonly gitops: { readonly repoUrl: string; readonly revision: string; readonly path: string };
}

export function deploymentNames(environment: EnvironmentName): DeploymentNames {
  const prefix = `aerial-${environment}`;
  const bucket = (purpose: string) => `${PLATFORM.bucketNamespace}-${environment}-${purpose}`;
  const identity = (namespace: string, serviceAccount: string, role: string): PodIdentityName => ({
    namespace,
    serviceAccount,
    roleName: `${prefix}-${role}`,
  });
  const ns = CLUSTER_NAMESPACES;
  return {
    environment,
    prefix,
    clusterName: prefix,
    stateMachine: `${prefix}-job`,
    buckets: {
      work: bucket('work'),
      uploads: bucket('uploads'),
      published: bucket('published'),
      backups: bucket('backups'),
    },
    topics: {
      jobNotifications: `${prefix}-job-notifications`,
      alarmsCritical: `${prefix}-critical`,
      alarmsWarning: `${prefix}-warning`,
    },
    queues: { karpenterInterruption: `${prefix}-karpenter` },
    roles: { karpenterNode: `${prefix}-karpenter-node`, githubDeploy: `aerial-github-deploy-${environment}` },
    secrets: {
      hub: `aerial/${environment}/hub`,
      postgis: `aerial/${environment}/postgis`,
      mqtt: `aerial/${environment}/mqtt`,
      mqttEngine: `aerial/${environment}/mqtt-engine`,
    },
    podIdentities: {
      pipeline: identity(ns.pipeline, 'aerial-pipeline', 'pipeline'),
      hub: identity(ns.hub, 'aerial-hub', 'hub'),
      // CloudNativePG names the cluster's service account after the Cluster resource.
      postgisBackup: identity(ns.data, 'postgis', 'postgis-backup'),
      externalSecrets: identity(ns.externalSecrets, 'external-secrets', 'external-secrets'),
      karpenter: identity(ns.system, 'karpenter', 'karpenter'),
      ebsCsi: identity(ns.system, 'ebs-csi-controller-sa', 'ebs-csi'),
      loadBalancerController: identity(ns.system, 'aws-load-balancer-controller', 'load-balancer-controller'),
    },
    discoveryTag: { key: 'karpenter.sh/discovery', value: prefix },
    hubHost: environment === 'prod' ? `hub.${PLATFORM.domain}` : `hub.${environment}.${PLATFORM.domain}`,
    mailDomain: environment === 'prod' ? `mail.${PLATFORM.domain}` : `${environment}.mail.${PLATFORM.domain}`,
    gitops: {
      repoUrl: PLATFORM.gitRepoUrl,
      revision: PLATFORM.gitRevision,
      path: `${PLATFORM.manifestsDir}/${environment}`,
    },
  };
}
