import { type InfraConfig } from '../config/infra-config';

const HOURS_PER_MONTH = 730;

/**
 * On-demand prices in eu-west-1 (USD, from the AWS pricing pages, late 2026), enough to estimate
 * what an environment costs before it runs a single job. Rough on purpose: the point is that a
 * budget below these is spent by idling, and GuardBudget and the throttle would stop every job.
 */
export const PRICES = {
  eksClusterHour: 0.1,
  natGatewayHour: 0.048,
  publicIpv4Hour: 0.005,
  /** Per endpoint and per AZ. */
  interfaceEndpointHour: 0.011,
  ebsGp3GbMonth: 0.088,
  /** The Hub's Application Load Balancer with light traffic. */
  loadBalancerMonth: 20,
  kmsKeyMonth: 1,
  secretMonth: 0.4,
  dashboardMonth: 3,
  alarmMonth: 0.1,
  /** Karpenter's amd64 on-demand capacity for the pods that never stop (m7i.large). */
  workloadNodeHour: 0.1121,
  ec2Hour: { 'm7g.large': 0.0912, 'm7g.xlarge': 0.1824 } as Record<string, number>,
};

/** Interface endpoints of the network stack (ECR API, ECR Docker, Logs, STS); a test counts them. */
export const INTERFACE_ENDPOINTS = 4;
/** The cluster's system node group keeps at least this many nodes. */
const SYSTEM_NODES = 2;
const NODE_DISK_GB = 20;
/** Topic keys (pipeline, observability), secrets (webhook, hub, postgis, mqtt). */
const KMS_KEYS = 2;
const SECRETS = 4;
const ALARMS = 5;

function price(table: Record<string, number>, type: string, what: string): number {
  const hourly = table[type];
  if (hourly === undefined) throw new Error(`no ${what} price for ${type}: add it to PRICES in cost/fixed-cost.ts`);
  return hourly;
}

/** What an environment costs a month with no job running, by item. */
export function fixedMonthlyCost(config: InfraConfig): { items: Record<string, number>; totalUsd: number } {
  const { settings, environment } = config;
  const standby = environment.protection.multiAz ? 3 : 1;
  const items: Record<string, number> = {
    'EKS control plane': PRICES.eksClusterHour * HOURS_PER_MONTH,
    'NAT gateways and their IPv4 addresses':
      settings.natGateways * (PRICES.natGatewayHour + PRICES.publicIpv4Hour) * HOURS_PER_MONTH,
    'interface VPC endpoints': INTERFACE_ENDPOINTS * settings.maxAzs * PRICES.interfaceEndpointHour * HOURS_PER_MONTH,
    // The Hub, the broker and PostGIS (CloudNativePG) never stop: one node's worth, or one per AZ
    // where PostGIS keeps standbys, with their volumes (kubernetes settings: 20 GiB, 200 GiB in prod).
    'always-on workload nodes (Hub, broker, PostGIS)': standby * PRICES.workloadNodeHour * HOURS_PER_MONTH,
    'PostGIS and broker volumes': standby * (environment.name === 'prod' ? 220 : 25) * PRICES.ebsGp3GbMonth,
    'system nodes':
      SYSTEM_NODES *
      (price(PRICES.ec2Hour, settings.cluster.nodeInstanceType, 'EC2') * HOURS_PER_MONTH +
        NODE_DISK_GB * PRICES.ebsGp3GbMonth),
    'load balancer': PRICES.loadBalancerMonth,
    'keys, secrets, dashboard, alarms':
      KMS_KEYS * PRICES.kmsKeyMonth + SECRETS * PRICES.secretMonth + PRICES.dashboardMonth + ALARMS * PRICES.alarmMonth,
  };
  const totalUsd = Object.values(items).reduce((sum, usd) => sum + usd, 0);
  return { items, totalUsd };
}
