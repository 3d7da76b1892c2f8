import { z } from 'zod';

export const ENVIRONMENT_NAMES = ['dev', 'staging', 'prod'] as const;
export const EnvironmentNameSchema = z.enum(ENVIRONMENT_NAMES);
export type EnvironmentName = z.infer<typeof EnvironmentNameSchema>;

const awsRegion = z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'must be an AWS region such as eu-west-1');

/**
 * One deployment environment: where it runs, what it may spend, how much a job may ask for, and
 * how long data is kept. The CDK app and the cdk8s charts are rendered from these.
 */
export const EnvironmentConfigSchema = z
  .object({
    name: EnvironmentNameSchema,
    region: awsRegion,
    /** Account id comes from deployment configuration, never from the repository. */
    account: z
      .string()
      .regex(/^\d{12}$/, 'must be a 12-digit AWS account id')
      .optional(),
    budget: z.object({
      monthlyUsd: z.number().positive().describe('spend the environment may reach in a month'),
      maxJobUsd: z.number().positive().describe('estimated cost above which one job is refused'),
      alertEmails: z.array(z.email()).default([]),
    }),
    limits: z.object({
      maxImagesPerJob: z.number().int().positive(),
      maxUploadBytes: z.number().int().positive(),
      maxConcurrentJobs: z.number().int().positive(),
      jobTimeoutSeconds: z.number().int().min(60).max(86_400),
    }),
    retention: z.object({
      workDays: z.number().int().positive().describe('intermediate stage outputs'),
      uploadsDays: z.number().int().positive(),
      publishedDays: z.number().int().positive().optional().describe('unset keeps published products forever'),
    }),
    protection: z.object({
      deletionProtection: z.boolean(),
      multiAz: z.boolean(),
      manualApproval: z.boolean(),
    }),
  })
  .refine((c) => c.budget.maxJobUsd <= c.budget.monthlyUsd, {
    message: 'budget.maxJobUsd must not exceed budget.monthlyUsd',
    path: ['budget', 'maxJobUsd'],
  })
  .refine((c) => c.name !== 'prod' || (c.protection.deletionProtection && c.protection.manualApproval), {
    message: 'prod must keep deletion protection and manual approval on',
    path: ['protection'],
  });
export type EnvironmentConfig = z.infer<typeof EnvironmentConfigSchema>;

const GIB = 1024 ** 3;
/**
 * Whole-job limit. The longest path through the state machine, every stage using all its attempts
 * and its queue wait, takes about 14 h (infra checks this at synth): a shorter job limit would cut
 * off a stage still inside its own timeout, and Step Functions cannot catch its own timeout.
 */
const JOB_TIMEOUT_SECONDS = 15 * 60 * 60;

/** The shipped environments; regions and budgets are overridable at deployment. */
export const DEFAULT_ENVIRONMENTS: Readonly<Record<EnvironmentName, EnvironmentConfig>> = {
  dev: EnvironmentConfigSchema.parse({
    name: 'dev',
    region: 'eu-west-1',
    // Fixed costs alone (EKS, NAT, RDS, nodes, endpoints) are about $400 a month: see infra's fixed-cost.ts.
    budget: { monthlyUsd: 800, maxJobUsd: 25 },
    limits: {
      maxImagesPerJob: 500,
      maxUploadBytes: 10 * GIB,
      maxConcurrentJobs: 2,
      jobTimeoutSeconds: JOB_TIMEOUT_SECONDS,
    },
    retention: { workDays: 3, uploadsDays: 14, publishedDays: 30 },
    protection: { deletionProtection: false, multiAz: false, manualApproval: false },
  }),
  staging: EnvironmentConfigSchema.parse({
    name: 'staging',
    region: 'eu-west-1',
    budget: { monthlyUsd: 1500, maxJobUsd: 60 },
    limits: {
      maxImagesPerJob: 2000,
      maxUploadBytes: 40 * GIB,
      maxConcurrentJobs: 4,
      jobTimeoutSeconds: JOB_TIMEOUT_SECONDS,
    },
    retention: { workDays: 7, uploadsDays: 30, publishedDays: 90 },
    protection: { deletionProtection: false, multiAz: false, manualApproval: true },
  }),
  prod: EnvironmentConfigSchema.parse({
    name: 'prod',
    region: 'eu-west-1',
    budget: { monthlyUsd: 5000, maxJobUsd: 150 },
    limits: {
      maxImagesPerJob: 5000,
      maxUploadBytes: 100 * GIB,
      maxConcurrentJobs: 10,
      jobTimeoutSeconds: JOB_TIMEOUT_SECONDS,
    },
    retention: { workDays: 14, uploadsDays: 90 },
    protection: { deletionProtection: true, multiAz: true, manualApproval: true },
  }),
};
