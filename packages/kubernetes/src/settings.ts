import { DEFAULT_ENVIRONMENTS, type EnvironmentConfig, type EnvironmentName } from '@aerial/contracts';

/** What differs between environments in the cluster; the rest comes from `@aerial/contracts`. */
export interface ClusterSettings {
  readonly environment: EnvironmentConfig;
  /** Git repository Argo CD syncs from and the folder of this environment's manifests in it. */
  readonly repoUrl: string;
  readonly revision: string;
  readonly manifestsPath: string;
  /** Registry host of the images; set at deployment (no account id in the repository). */
  readonly registry: string;
  /** Image tag of the release (a version, never `latest`). */
  readonly imageTag: string;
  readonly hubHost: string;
  readonly hubReplicas: { min: number; max: number };
  /** Argo CD syncs by itself (with prune and self-heal) in dev; elsewhere a person syncs. */
  readonly autoSync: boolean;
  readonly postgis: { instances: number; storageGi: number };
  readonly mqttStorageGi: number;
  /** Bucket names are per environment and resolved by the deploy role at sync time. */
  readonly workBucket: string;
  readonly backupBucket: string;
  /** IAM role ARNs for IRSA are injected at deploy time through these placeholders. */
  readonly pipelineRoleArn: string;
  readonly backupRoleArn: string;
  readonly clusterName: string;
}

/** Manifests land here, one folder per environment; the Argo CD Applications point at them. */
export const MANIFESTS_DIR = 'packages/kubernetes/manifests';

export function clusterSettings(name: EnvironmentName): ClusterSettings {
  const environment = DEFAULT_ENVIRONMENTS[name];
  const prod = name === 'prod';
  return {
    environment,
    repoUrl: 'https://github.com/aerial-platform/aerial-platform.git',
    revision: prod ? 'release' : 'main',
    manifestsPath: `${MANIFESTS_DIR}/${name}`,
    // Resolved by the deploy pipeline (kustomize-style replacement of the placeholders).
    registry: 'registry.aerial.internal',
    imageTag: '0.0.0',
    hubHost: prod ? 'hub.aerial.example' : `hub.${name}.aerial.example`,
    hubReplicas: prod ? { min: 3, max: 10 } : { min: 2, max: 4 },
    autoSync: name === 'dev',
    postgis: { instances: environment.protection.multiAz ? 3 : 1, storageGi: prod ? 200 : 20 },
    mqttStorageGi: prod ? 20 : 5,
    workBucket: `aerial-${name}-work`,
    backupBucket: `aerial-${name}-backups`,
    pipelineRoleArn: `arn:aws:iam::ACCOUNT_ID:role/aerial-${name}-pipeline`,
    backupRoleArn: `arn:aws:iam::ACCOUNT_ID:role/aerial-${name}-postgis-backup`,
    clusterName: `aerial-${name}`,
  };
}
