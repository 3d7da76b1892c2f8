import { CLUSTER_NAMESPACES, PLATFORM } from '@aerial/contracts';
import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { ARGO_SERVER, argoServerUrl } from '../argo-workflows';
import { WORKLOAD_NODE_SELECTOR } from '../placement';
import { resources, RESTRICTED_CONTAINER, restrictedPod } from '../security';
import type { ClusterSettings } from '../settings';
import { SECRET_STORE } from './addons-chart';
import { add, allow, egress, type KubeObject } from './objects';

const ns = CLUSTER_NAMESPACES.hub;
const labels = { 'app.kubernetes.io/name': 'aerial-hub' };
/** The Hub's image, pushed by the release workflow with the stage images. */
export const HUB_IMAGE = 'aerial-hub';

/**
 * The Hub: Deployment (probes on /health and /ready), Service, Ingress with TLS, autoscaling,
 * disruption budget, configuration from a ConfigMap and credentials from a Secret that External
 * Secrets keeps in sync with AWS Secrets Manager.
 */
export class HubChart extends Chart {
  constructor(scope: Construct, id: string, s: ClusterSettings) {
    super(scope, id);
    add(
      this,
      ...settings(s),
      ...deployment(s),
      ...endpoints(s),
      ...scaling(s),
      ...networkPolicies(),
      ...argoSubmitter(s),
    );
  }
}

/** Configuration, credentials and the service account the Hub runs as. */
function settings(s: ClusterSettings): KubeObject[] {
  const env = s.environment.name;
  const identity = s.names.podIdentities.hub;
  return [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'aerial-hub', namespace: ns },
      data: {
        AERIAL_ENV: env,
        HUB_HOST: '0.0.0.0',
        HUB_PORT: '8080',
        OBJECT_STORE: `s3://${s.names.buckets.work}`,
        // Products are served from the published bucket Publish writes.
        PUBLISHED_STORE: `s3://${s.names.buckets.published}`,
        // On the cluster jobs run on Argo Workflows, as the Hub's service account.
        ARGO_SERVER_URL: argoServerUrl(),
        ARGO_NAMESPACE: CLUSTER_NAMESPACES.pipeline,
        ARGO_TOKEN_FILE: '/var/run/secrets/kubernetes.io/serviceaccount/token',
        AERIAL_DATA_DIR: '/tmp/aerial',
        LOG_LEVEL: 'info',
      },
    },
    {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: 'aerial-hub', namespace: ns },
      spec: {
        refreshInterval: '1h',
        secretStoreRef: SECRET_STORE,
        target: { name: 'aerial-hub', creationPolicy: 'Owner' },
        data: [
          { secretKey: 'DATABASE_URL', remoteRef: { key: s.names.secrets.hub, property: 'databaseUrl' } },
          { secretKey: 'MQTT_URL', remoteRef: { key: s.names.secrets.hub, property: 'mqttUrl' } },
        ],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      // Its IAM role comes from the EKS Pod Identity association of this namespace/name.
      metadata: { name: identity.serviceAccount, namespace: identity.namespace },
    },
  ];
}

/** The Hub's pods: non-root, spread over zones, probed on /health and /ready. */
function deployment(s: ClusterSettings): KubeObject[] {
  const identity = s.names.podIdentities.hub;
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'aerial-hub', namespace: ns, labels },
      spec: {
        replicas: s.hubReplicas.min,
        selector: { matchLabels: labels },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: identity.serviceAccount,
            securityContext: restrictedPod(),
            nodeSelector: WORKLOAD_NODE_SELECTOR,
            topologySpreadConstraints: [
              {
                maxSkew: 1,
                topologyKey: 'topology.kubernetes.io/zone',
                whenUnsatisfiable: 'ScheduleAnyway',
                labelSelector: { matchLabels: labels },
              },
            ],
            containers: [
              {
                name: 'hub',
                image: `${PLATFORM.imageRegistry}/${HUB_IMAGE}:${s.imageTag}`,
                ports: [{ name: 'http', containerPort: 8080 }],
                envFrom: [{ configMapRef: { name: 'aerial-hub' } }, { secretRef: { name: 'aerial-hub' } }],
                resources: resources('250m', '512Mi'),
                securityContext: RESTRICTED_CONTAINER,
                livenessProbe: { httpGet: { path: '/health', port: 'http' }, periodSeconds: 10, failureThreshold: 3 },
                readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 5, failureThreshold: 2 },
                startupProbe: { httpGet: { path: '/health', port: 'http' }, periodSeconds: 2, failureThreshold: 30 },
                volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
              },
            ],
            volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '1Gi' } }],
          },
        },
      },
    },
  ];
}

/** The Service and the TLS Ingress in front of it. */
function endpoints(s: ClusterSettings): KubeObject[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'aerial-hub', namespace: ns },
      spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: {
        name: 'aerial-hub',
        namespace: ns,
        annotations: {
          'alb.ingress.kubernetes.io/scheme': 'internet-facing',
          'alb.ingress.kubernetes.io/target-type': 'ip',
          'alb.ingress.kubernetes.io/listen-ports': '[{"HTTPS":443}]',
          'alb.ingress.kubernetes.io/ssl-policy': 'ELBSecurityPolicy-TLS13-1-2-2021-06',
          'alb.ingress.kubernetes.io/healthcheck-path': '/ready',
        },
      },
      spec: {
        ingressClassName: 'alb',
        tls: [{ hosts: [s.hubHost] }],
        rules: [
          {
            host: s.hubHost,
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: { service: { name: 'aerial-hub', port: { name: 'http' } } },
                },
              ],
            },
          },
        ],
      },
    },
  ];
}

/** Autoscaling on CPU and a disruption budget. */
function scaling(s: ClusterSettings): KubeObject[] {
  return [
    {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'aerial-hub', namespace: ns },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'aerial-hub' },
        minReplicas: s.hubReplicas.min,
        maxReplicas: s.hubReplicas.max,
        metrics: [
          { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
        ],
      },
    },
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'aerial-hub', namespace: ns },
      spec: { minAvailable: 1, selector: { matchLabels: labels } },
    },
  ];
}

/** Who may reach the Hub, and what it may reach. */
function networkPolicies(): KubeObject[] {
  return [
    // The load balancer (in the VPC) reaches the Hub; nothing else does.
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'hub-from-load-balancer', namespace: ns },
      spec: {
        podSelector: { matchLabels: labels },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ protocol: 'TCP', port: 8080 }] }],
      },
    },
    allow('hub-from-monitoring', ns, labels, [{ namespace: 'monitoring' }], [8080]),
    egress(ns, [5432, 1883, ARGO_SERVER.port]),
  ];
}

/** The Hub's right to run, stop and retry (resume) workflows on Argo. */
function argoSubmitter(s: ClusterSettings): KubeObject[] {
  const identity = s.names.podIdentities.hub;
  return [
    // The Hub submits, reads, stops and retries workflows in the pipeline namespace (Argo Server
    // in client auth mode acts with the caller's token). A retry (the Hub's resume) updates the
    // workflow and deletes the pods of its failed nodes, so that they run again.
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'aerial-hub-submitter', namespace: CLUSTER_NAMESPACES.pipeline },
      rules: [
        {
          apiGroups: ['argoproj.io'],
          resources: ['workflows'],
          verbs: ['create', 'get', 'list', 'watch', 'update', 'patch'],
        },
        { apiGroups: ['argoproj.io'], resources: ['workflowtemplates'], verbs: ['get', 'list'] },
        { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'delete'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'aerial-hub-submitter', namespace: CLUSTER_NAMESPACES.pipeline },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'aerial-hub-submitter' },
      subjects: [{ kind: 'ServiceAccount', name: identity.serviceAccount, namespace: identity.namespace }],
    },
  ];
}
