import {
  DEFAULT_ENVIRONMENTS,
  deploymentNames,
  type DeploymentNames,
  type EnvironmentConfig,
  type EnvironmentName,
  imageTags,
} from '@aerial/contracts';

/** What differs between environments in the cluster; names shared with CDK come from `names`. */
export interface ClusterSettings {
  readonly environment: EnvironmentConfig;
  /** Names that CDK creates and the manifests refer to (buckets, secrets, roles, git path). */
  readonly names: DeploymentNames;
  /** Tag of every image of the release this environment runs (`image-tags.json` in @aerial/contracts). */
  readonly imageTag: string;
  readonly hubHost: string;
  readonly hubReplicas: { min: number; max: number };
  /** Argo CD syncs by itself (with prune and self-heal) in dev; elsewhere a person syncs. */
  readonly autoSync: boolean;
  readonly postgis: { instances: number; storageGi: number };
  readonly mqttStorageGi: number;
}

export function clusterSettings(name: EnvironmentName): ClusterSettings {
  const environment = DEFAULT_ENVIRONMENTS[name];
  const prod = name === 'prod';
  return {
    environment,
    names: deploymentNames(name),
    imageTag: imageTags()[name],
    hubHost: deploymentNames(name).hubHost,
    hubReplicas: prod ? { min: 3, max: 10 } : { min: 2, max: 4 },
    autoSync: name === 'dev',
    postgis: { instances: environment.protection.multiAz ? 3 : 1, storageGi: prod ? 200 : 20 },
    mqttStorageGi: prod ? 20 : 5,
  };
}
