import { BROKER_USERS, CLUSTER_NAMESPACES } from '@aerial/contracts';
import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { CNPG_NAMESPACE } from '../operators';
import { mosquittoAcl } from '../mosquitto-acl';
import { WORKLOAD_NODE_SELECTOR } from '../placement';
import { resources, RESTRICTED_CONTAINER, restrictedPod } from '../security';
import type { ClusterSettings } from '../settings';
import { SECRET_STORE, STORAGE_CLASS } from './addons-chart';
import { add, allow, egress, type KubeObject } from './objects';

const ns = CLUSTER_NAMESPACES.data;
export const MOSQUITTO_IMAGE = 'eclipse-mosquitto:2.0.22';
export const POSTGIS_IMAGE = 'ghcr.io/cloudnative-pg/postgis:16-3.5';

/**
 * The platform's data services. PostgreSQL + PostGIS as a CloudNativePG Cluster (continuous
 * backups to S3 with the IAM role EKS Pod Identity gives the Cluster's service account, credentials generated into a Secret by External Secrets from AWS
 * Secrets Manager: no password in any manifest), and Mosquitto with a password file and ACLs from
 * Secrets, TCP for the platform and WebSocket, on a persistent volume.
 */
export class DataChart extends Chart {
  constructor(scope: Construct, id: string, s: ClusterSettings) {
    super(scope, id);
    add(this, ...postgis(s));
    // Mosquitto: users and ACLs from Secrets (External Secrets renders the password file).
    add(this, ...mosquitto(s));
  }
}

/** PostgreSQL + PostGIS: its credentials, the CloudNativePG Cluster, its daily backup and who may reach it. */
function postgis(s: ClusterSettings): KubeObject[] {
  // CloudNativePG names the Cluster's service account after the Cluster: the Pod Identity
  // association (namespace and service account) names the Cluster.
  const backup = s.names.podIdentities.postgisBackup;
  return [
    postgisCredentials(s),
    postgisCluster(s),
    {
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'ScheduledBackup',
      metadata: {
        name: 'postgis-daily',
        namespace: ns,
        annotations: { 'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true' },
      },
      spec: { schedule: '0 0 3 * * *', backupOwnerReference: 'self', cluster: { name: backup.serviceAccount } },
    },
    allow(
      'postgis-from-hub',
      ns,
      { 'cnpg.io/cluster': backup.serviceAccount },
      [{ namespace: CLUSTER_NAMESPACES.hub }, { namespace: ns }],
      [5432],
    ),
    // The operator reaches every instance's manager (8000) and PostgreSQL (5432), and instances
    // each other's managers; without this the default deny keeps the Cluster from ever becoming
    // ready (CloudNativePG, docs "Networking").
    allow(
      'postgis-from-operator',
      ns,
      { 'cnpg.io/cluster': backup.serviceAccount },
      [{ namespace: CNPG_NAMESPACE, labels: { 'app.kubernetes.io/name': 'cloudnative-pg' } }, { namespace: ns }],
      [8000, 5432],
    ),
  ];
}

/** The application user's credentials, generated into a Secret from Secrets Manager. */
function postgisCredentials(s: ClusterSettings): KubeObject {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name: 'postgis-app', namespace: ns },
    spec: {
      refreshInterval: '1h',
      secretStoreRef: SECRET_STORE,
      target: { name: 'postgis-app', creationPolicy: 'Owner', template: { type: 'kubernetes.io/basic-auth' } },
      data: [
        { secretKey: 'username', remoteRef: { key: s.names.secrets.postgis, property: 'username' } },
        { secretKey: 'password', remoteRef: { key: s.names.secrets.postgis, property: 'password' } },
      ],
    },
  };
}

/** The CloudNativePG Cluster, backed up continuously to S3 with its Pod Identity role. */
function postgisCluster(s: ClusterSettings): KubeObject {
  const backup = s.names.podIdentities.postgisBackup;
  return {
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Cluster',
    metadata: {
      name: backup.serviceAccount,
      namespace: backup.namespace,
      annotations: { 'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true' },
    },
    spec: {
      instances: s.postgis.instances,
      imageName: POSTGIS_IMAGE,
      storage: { size: `${s.postgis.storageGi}Gi`, storageClass: STORAGE_CLASS },
      affinity: { nodeSelector: WORKLOAD_NODE_SELECTOR },
      bootstrap: {
        initdb: {
          database: 'aerial',
          owner: 'aerial',
          secret: { name: 'postgis-app' },
          postInitApplicationSQL: ['CREATE EXTENSION IF NOT EXISTS postgis'],
        },
      },
      backup: {
        retentionPolicy: `${s.environment.name === 'prod' ? 30 : 7}d`,
        barmanObjectStore: {
          destinationPath: `s3://${s.names.buckets.backups}/postgis`,
          s3Credentials: { inheritFromIAMRole: true },
          wal: { compression: 'gzip' },
          data: { compression: 'gzip' },
        },
      },
      resources: resources('500m', s.environment.name === 'prod' ? '4Gi' : '1Gi'),
      enableSuperuserAccess: false,
    },
  };
}

/** Mosquitto: its users and configuration, the broker on a persistent volume, its Service and who may reach it. */
function mosquitto(s: ClusterSettings): KubeObject[] {
  return [
    mosquittoUsers(s),
    mosquittoConfig(),
    mosquittoStatefulSet(s),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'mosquitto', namespace: ns },
      spec: {
        selector: { 'app.kubernetes.io/name': 'mosquitto' },
        ports: [
          { name: 'mqtt', port: 1883, targetPort: 1883 },
          { name: 'websocket', port: 9001, targetPort: 9001 },
        ],
      },
    },
    allow(
      'mosquitto-from-platform',
      ns,
      { 'app.kubernetes.io/name': 'mosquitto' },
      [{ namespace: CLUSTER_NAMESPACES.hub }, { namespace: CLUSTER_NAMESPACES.pipeline }],
      [1883, 9001],
    ),
    egress(ns, [5432, 8000]),
  ];
}

/** The users' password file, rendered by External Secrets. */
function mosquittoUsers(s: ClusterSettings): KubeObject {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name: 'mosquitto-users', namespace: ns },
    spec: {
      refreshInterval: '1h',
      secretStoreRef: SECRET_STORE,
      target: {
        name: 'mosquitto-users',
        creationPolicy: 'Owner',
        template: {
          // Hashed with mosquitto_passwd before they are stored in Secrets Manager.
          data: { passwords: '{{ .hub }}\n{{ .engine }}\n' },
        },
      },
      data: [
        { secretKey: 'hub', remoteRef: { key: s.names.secrets.mqtt, property: 'hub' } },
        { secretKey: 'engine', remoteRef: { key: s.names.secrets.mqtt, property: 'engine' } },
      ],
    },
  };
}

/** mosquitto.conf and the ACLs. */
function mosquittoConfig(): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'mosquitto-config', namespace: ns },
    data: {
      'mosquitto.conf': [
        'persistence true',
        'persistence_location /mosquitto/data/',
        'autosave_interval 30',
        'allow_anonymous false',
        'password_file /mosquitto/users/passwords',
        'acl_file /mosquitto/config/acl',
        'listener 1883',
        'protocol mqtt',
        'listener 9001',
        'protocol websockets',
        '',
      ].join('\n'),
      // Workers publish job events; the Hub reads them; browsers get nothing here (they use
      // the Hub's server-sent events).
      acl: mosquittoAcl(BROKER_USERS),
    },
  };
}

function mosquittoStatefulSet(s: ClusterSettings): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'mosquitto', namespace: ns, labels: { 'app.kubernetes.io/name': 'mosquitto' } },
    spec: {
      serviceName: 'mosquitto',
      replicas: 1,
      selector: { matchLabels: { 'app.kubernetes.io/name': 'mosquitto' } },
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'mosquitto' } },
        spec: {
          securityContext: restrictedPod(1883),
          automountServiceAccountToken: false,
          nodeSelector: WORKLOAD_NODE_SELECTOR,
          containers: [
            {
              name: 'mosquitto',
              image: MOSQUITTO_IMAGE,
              ports: [
                { name: 'mqtt', containerPort: 1883 },
                { name: 'websocket', containerPort: 9001 },
              ],
              resources: resources('100m', '256Mi'),
              securityContext: RESTRICTED_CONTAINER,
              readinessProbe: { tcpSocket: { port: 1883 }, periodSeconds: 10 },
              livenessProbe: { tcpSocket: { port: 1883 }, periodSeconds: 20 },
              volumeMounts: [
                { name: 'data', mountPath: '/mosquitto/data' },
                { name: 'config', mountPath: '/mosquitto/config', readOnly: true },
                { name: 'users', mountPath: '/mosquitto/users', readOnly: true },
                { name: 'log', mountPath: '/mosquitto/log' },
              ],
            },
          ],
          volumes: [
            { name: 'config', configMap: { name: 'mosquitto-config' } },
            { name: 'users', secret: { secretName: 'mosquitto-users' } },
            { name: 'log', emptyDir: { sizeLimit: '1Gi' } },
          ],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: 'data' },
          spec: {
            accessModes: ['ReadWriteOnce'],
            storageClassName: STORAGE_CLASS,
            resources: { requests: { storage: `${s.mqttStorageGi}Gi` } },
          },
        },
      ],
    },
  };
}
