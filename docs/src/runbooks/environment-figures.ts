import { ENVIRONMENT_NAMES, type EnvironmentName } from '@aerial/contracts';
import {
  ACCESS_LOG_DAYS,
  fixedMonthlyCost,
  infraConfig,
  NONCURRENT_VERSION_DAYS,
  PUBLISHED_INFREQUENT_ACCESS_DAYS,
} from '@aerial/infra';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** What an operator sizes, pays and restores in one environment, read from the code that deploys it. */
export interface EnvironmentFigures {
  readonly name: EnvironmentName;
  readonly batch: { readonly cpuMaxVcpus: number; readonly gpuMaxVcpus: number };
  readonly karpenter: { readonly cpu: string; readonly memory: string; readonly gpus: string };
  readonly hubReplicas: { readonly min: number; readonly max: number };
  readonly limits: { readonly maxImagesPerJob: number };
  readonly budget: { readonly monthlyUsd: number; readonly maxJobUsd: number; readonly fixedMonthlyUsd: number };
  readonly retention: {
    readonly logDays: number;
    readonly workDays: number;
    readonly uploadsDays: number;
    /** Undefined: published products are kept. */
    readonly publishedDays: number | undefined;
  };
  readonly postgis: { readonly instances: number; readonly backupRetention: string; readonly backupSchedule: string };
}

/** Bucket figures every environment shares (`packages/infra/src/data/aerial-buckets.ts`). */
export const BUCKET_FIGURES = {
  noncurrentVersionDays: NONCURRENT_VERSION_DAYS,
  publishedInfrequentAccessDays: PUBLISHED_INFREQUENT_ACCESS_DAYS,
  accessLogDays: ACCESS_LOG_DAYS,
};

interface KubeObject {
  kind: string;
  metadata: { name: string };
  spec?: Record<string, unknown>;
}

/**
 * Every environment's figures. The AWS side comes from the infra config (the defaults a deploy
 * starts from, before any `-c aerial:<env>` context); the cluster's from the committed manifests
 * in `packages/kubernetes/manifests/<env>`, which the kubernetes package's tests keep equal to
 * its charts.
 */
export function environmentFigures(repoRoot: string): EnvironmentFigures[] {
  return ENVIRONMENT_NAMES.map((name) => {
    const config = infraConfig(name);
    const { environment, settings } = config;
    const manifest = (chart: string) => manifestObjects(repoRoot, name, chart);
    const nodePool = (pool: string) => spec(find(manifest('karpenter'), 'NodePool', pool));
    const cpuLimits = nodePool('cpu').limits as Record<string, string>;
    const gpuLimits = nodePool('gpu').limits as Record<string, string>;
    const hpa = spec(find(manifest('hub'), 'HorizontalPodAutoscaler', 'aerial-hub'));
    const data = manifest('data');
    const cluster = spec(find(data, 'Cluster'));
    return {
      name,
      batch: settings.batch,
      karpenter: {
        cpu: required(cpuLimits.cpu),
        memory: required(cpuLimits.memory),
        gpus: required(gpuLimits['nvidia.com/gpu']),
      },
      hubReplicas: { min: hpa.minReplicas as number, max: hpa.maxReplicas as number },
      limits: { maxImagesPerJob: environment.limits.maxImagesPerJob },
      budget: {
        monthlyUsd: environment.budget.monthlyUsd,
        maxJobUsd: environment.budget.maxJobUsd,
        fixedMonthlyUsd: Math.round(fixedMonthlyCost(config).totalUsd),
      },
      retention: {
        logDays: settings.logRetentionDays,
        workDays: environment.retention.workDays,
        uploadsDays: environment.retention.uploadsDays,
        publishedDays: environment.retention.publishedDays,
      },
      postgis: {
        instances: cluster.instances as number,
        backupRetention: required((cluster.backup as { retentionPolicy?: string }).retentionPolicy),
        backupSchedule: required(spec(find(data, 'ScheduledBackup')).schedule as string | undefined),
      },
    };
  });
}

function manifestObjects(repoRoot: string, env: EnvironmentName, chart: string): KubeObject[] {
  const file = join(repoRoot, 'packages', 'kubernetes', 'manifests', env, `${chart}.k8s.yaml`);
  return parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as KubeObject);
}

function find(objects: readonly KubeObject[], kind: string, name?: string): KubeObject {
  const found = objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (!found) throw new Error(`no ${kind}${name ? ` ${name}` : ''} in the manifests: the runbook tables read it`);
  return found;
}

function spec(o: KubeObject): Record<string, unknown> {
  if (!o.spec) throw new Error(`${o.kind} ${o.metadata.name} has no spec`);
  return o.spec;
}

function required<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('a figure the runbook tables show is missing from the manifests');
  return value;
}
