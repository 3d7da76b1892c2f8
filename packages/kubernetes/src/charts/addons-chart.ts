import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import type { ClusterSettings } from '../settings';
import { add } from './objects';

/** The cluster's default StorageClass; every PersistentVolumeClaim names it. */
export const STORAGE_CLASS = 'gp3';

/** The store every ExternalSecret reads from. */
export const SECRET_STORE = { kind: 'ClusterSecretStore', name: 'aws-secrets-manager' } as const;

/**
 * Cluster add-ons that are plain manifests (cluster-scoped): an encrypted gp3 StorageClass of the
 * EBS CSI driver (the EKS add-on CDK installs), bound where the pod lands so a volume is created
 * in the pod's zone; and the ClusterSecretStore External Secrets reads AWS Secrets Manager
 * through. It has no `auth` block: the controller's own credentials are used, which EKS Pod
 * Identity gives its service account (`deploymentNames(env).podIdentities.externalSecrets`).
 */
export class AddonsChart extends Chart {
  constructor(scope: Construct, id: string, s: ClusterSettings) {
    super(scope, id);
    add(
      this,
      {
        apiVersion: 'storage.k8s.io/v1',
        kind: 'StorageClass',
        metadata: { name: STORAGE_CLASS, annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
        provisioner: 'ebs.csi.aws.com',
        parameters: { type: 'gp3', encrypted: 'true', 'csi.storage.k8s.io/fstype': 'ext4' },
        volumeBindingMode: 'WaitForFirstConsumer',
        allowVolumeExpansion: true,
        reclaimPolicy: 'Delete',
      },
      {
        apiVersion: 'external-secrets.io/v1',
        kind: SECRET_STORE.kind,
        metadata: {
          name: SECRET_STORE.name,
          annotations: { 'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true' },
        },
        spec: { provider: { aws: { service: 'SecretsManager', region: s.environment.region } } },
      },
    );
  }
}
