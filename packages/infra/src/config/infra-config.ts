import {
  AerialError,
  DEFAULT_ENVIRONMENTS,
  deploymentNames,
  type EnvironmentConfig,
  EnvironmentConfigSchema,
  type EnvironmentName,
  parseAtBoundary,
  PLATFORM,
} from '@aerial/contracts';
import { z } from 'zod';

/** What the AWS environment needs beyond the shared environment config. */
export const InfraSettingsSchema = z.object({
  /** NAT gateways: one is cheap for dev; one per AZ keeps prod reachable when an AZ fails. */
  natGateways: z.number().int().min(0).max(3),
  maxAzs: z.number().int().min(2).max(3),
  logRetentionDays: z.union([z.literal(30), z.literal(60), z.literal(90), z.literal(180), z.literal(365)]),
  batch: z.object({ cpuMaxVcpus: z.number().int().min(1), gpuMaxVcpus: z.number().int().min(0) }),
  cluster: z.object({
    nodeInstanceType: z.string(),
    /**
     * IAM roles of the people who administer the cluster (kubectl, Argo CD's first login): mapped
     * to system:masters. Empty by default (no account in the repository): set it at deployment.
     */
    adminRoleArns: z
      .array(z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, 'must be an IAM role ARN'))
      .default([]),
    /**
     * Where the API server may be reached from besides the VPC (CIDRs); empty keeps the endpoint
     * private (reach it through SSM or a VPN into the VPC).
     */
    publicAccessCidrs: z.array(z.cidrv4()).default([]),
  }),
  gitops: z.object({ repoUrl: z.url({ protocol: /^https$/ }), revision: z.string().min(1), path: z.string().min(1) }),
  github: z.object({
    owner: z.string().min(1),
    repo: z.string().min(1),
    /**
     * An account has one GitHub OIDC provider: the first environment deployed to it creates it
     * ('create'); others in the same account, or an account that has one already, use it
     * ('existing').
     */
    oidcProvider: z.enum(['create', 'existing']).default('create'),
  }),
  /**
   * Who receives alarms (critical and warning topics) and budget alerts, by email. Empty by
   * default: nothing personal lives in the repository, so an operator sets it at deployment
   * (`-c aerial:<env>='{"settings":{"alertEmails":["ops@example.org"]}}'`) and confirms each
   * subscription from the email AWS sends. Until then the alerts reach the SNS topics only.
   */
  alertEmails: z.array(z.email()),
  /**
   * The domain Notify sends job emails from (`noreply@<domain>`): CDK creates its SES identity,
   * whose DKIM records the operator adds to the domain's DNS (docs/content first-deploy runbook).
   */
  mailDomain: z
    .string()
    .regex(/^([a-z0-9-]+\.)+[a-z]{2,}$/, 'must be a DNS domain such as aerial.example.org')
    .refine((d) => !/\.(invalid|test|example|localhost)$/.test(d), 'must be a domain you can publish DNS records in'),
});
export type InfraSettings = z.infer<typeof InfraSettingsSchema>;

export interface InfraConfig {
  readonly environment: EnvironmentConfig;
  readonly settings: InfraSettings;
}

const GITHUB = { owner: PLATFORM.github.owner, repo: PLATFORM.github.repo, oidcProvider: 'create' as const };
/** Mail goes out from a subdomain per environment of the project's domain; override per deployment. */
const mailDomain = (name: EnvironmentName) => deploymentNames(name).mailDomain;

const SETTINGS: Record<EnvironmentName, InfraSettings> = {
  dev: {
    natGateways: 1,
    maxAzs: 2,
    logRetentionDays: 30,
    batch: { cpuMaxVcpus: 32, gpuMaxVcpus: 8 },
    cluster: { nodeInstanceType: 'm7g.large', adminRoleArns: [], publicAccessCidrs: [] },
    gitops: deploymentNames('dev').gitops,
    github: GITHUB,
    alertEmails: [],
    mailDomain: mailDomain('dev'),
  },
  staging: {
    natGateways: 1,
    maxAzs: 2,
    logRetentionDays: 60,
    batch: { cpuMaxVcpus: 64, gpuMaxVcpus: 16 },
    cluster: { nodeInstanceType: 'm7g.large', adminRoleArns: [], publicAccessCidrs: [] },
    gitops: deploymentNames('staging').gitops,
    github: GITHUB,
    alertEmails: [],
    mailDomain: mailDomain('staging'),
  },
  prod: {
    natGateways: 3,
    maxAzs: 3,
    logRetentionDays: 90,
    batch: { cpuMaxVcpus: 256, gpuMaxVcpus: 64 },
    cluster: { nodeInstanceType: 'm7g.xlarge', adminRoleArns: [], publicAccessCidrs: [] },
    gitops: deploymentNames('prod').gitops,
    github: GITHUB,
    alertEmails: [],
    mailDomain: mailDomain('prod'),
  },
};

/**
 * The configuration of one environment. Overrides come from CDK context (`-c aerial:<env>=<json>`,
 * a partial settings object) so that nothing account-specific lives in the repository; the
 * account itself comes from `account` in that JSON or CDK_DEFAULT_ACCOUNT at deploy time.
 */
export function infraConfig(name: EnvironmentName, override: unknown = undefined): InfraConfig {
  const parsed =
    override === undefined
      ? {}
      : (override as { environment?: Partial<EnvironmentConfig>; settings?: Partial<InfraSettings> });
  const environment = parseAtBoundary(
    EnvironmentConfigSchema,
    { ...DEFAULT_ENVIRONMENTS[name], ...parsed.environment },
    `${name} environment config`,
  );
  const settings = parseAtBoundary(
    InfraSettingsSchema,
    mergeSettings(SETTINGS[name], parsed.settings ?? {}),
    `${name} infrastructure settings`,
  );
  // The cluster's manifests (External Secrets' store, say) are synthesized from the contracts,
  // not from this context: a region given only here would split the environment in two.
  const region = DEFAULT_ENVIRONMENTS[name].region;
  if (environment.region !== region)
    throw new AerialError(
      'Aerial.InvalidInput',
      `${name} environment config: region ${environment.region} differs from ${region}, the region the manifests are made for`,
      `set the region in DEFAULT_ENVIRONMENTS (packages/contracts/src/environment.ts), not in -c aerial:${name}`,
    );
  return { environment, settings };
}

/** Batch job queues: names only the AWS side uses (the manifests run jobs on Argo instead). */
export const jobQueueName = (env: EnvironmentName, priority: 'high' | 'normal' | 'low', gpu = false): string =>
  `${deploymentNames(env).prefix}-${gpu ? 'gpu-' : ''}${priority}`;

/** Context overrides settings one level deep: `{"cluster":{"adminRoleArns":[…]}}` keeps the rest of `cluster`. */
function mergeSettings(defaults: InfraSettings, override: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(override)) {
    const base = merged[key];
    const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
    merged[key] = isObject(base) && isObject(value) ? { ...(base as object), ...(value as object) } : value;
  }
  return merged;
}
