import { z } from 'zod';
import { type RuntimeConfig, RuntimeConfigSchema } from './runtime-config';
import { StageNameSchema } from './stages';

/** Text that must be JSON matching `schema` (a variable carrying a list or a record). */
const jsonText = <T extends z.ZodType>(schema: T, example: string) =>
  z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: `must be JSON such as ${example}` });
        return z.NEVER;
      }
    })
    .pipe(schema);

const attempt = z
  .string()
  .trim()
  .regex(/^\d{1,6}$/, 'must be a whole number such as 1')
  .transform(Number);

/**
 * What a stage process (the workers' entrypoint: an AWS Batch job, an Argo pod, or a local engine
 * child) is told about the one run it performs. The orchestrators set these; nobody else reads them.
 */
export const StageProcessEnvSchema = z.object({
  /** The stage to run (`entrypoint <stage>` takes precedence). */
  AERIAL_STAGE: StageNameSchema.optional(),
  /** The job this run belongs to. */
  AERIAL_JOB_ID: z.string().min(1).optional(),
  /** Argo Workflows: the job request (JSON), given to the first stage (Step Functions passes it in the payload). */
  AERIAL_REQUEST: jsonText(z.unknown(), '{"source":{...},"preset":"map"}').optional(),
  /** Argo Workflows: how the job ended (`Succeeded` or anything else), for Notify. */
  AERIAL_OUTCOME: z.string().min(1).optional(),
  /** Argo Workflows: why the job failed, for Notify. */
  AERIAL_FAILURE: z.string().min(1).optional(),
  /** Argo Workflows: the retry number (0 first), so the attempt is this plus one. */
  AERIAL_STAGE_RETRIES: attempt.optional(),
  /** AWS Batch: the attempt number (1 first). */
  AWS_BATCH_JOB_ATTEMPT: attempt.optional(),
  /** The local engine: the attempt number (1 first). */
  AERIAL_STAGE_ATTEMPT: attempt.optional(),
  /** `emf`: print a CloudWatch embedded-metric-format line per attempt (set in the cloud). */
  AERIAL_METRICS: z.enum(['emf', 'none']).default('none'),
});
export type StageProcessEnv = z.infer<typeof StageProcessEnvSchema>;

/** The attempt a stage process runs, from whichever orchestrator set it; 1 when none did. */
export function stageAttempt(env: StageProcessEnv): number {
  if (env.AERIAL_STAGE_RETRIES !== undefined) return env.AERIAL_STAGE_RETRIES + 1;
  return env.AWS_BATCH_JOB_ATTEMPT ?? env.AERIAL_STAGE_ATTEMPT ?? 1;
}

/**
 * What the infra's Lambdas read besides the runtime config. The infra sets each under the very
 * name declared here (`LAMBDA_VARIABLES`), so a renamed variable fails to compile, not to run.
 */
export const LambdaEnvSchema = z.object({
  /** The deployed environment config (JSON): function stages refuse jobs against this deployment's budget. */
  AERIAL_ENVIRONMENT_CONFIG: z.string().min(1).optional(),
  /** Notify: the SNS topic that carries the MQTT-bound outcome in AWS. */
  NOTIFY_TOPIC_ARN: z
    .string()
    .regex(/^arn:aws[a-z-]*:sns:/, 'must be an SNS topic ARN')
    .optional(),
  /** Notify: the Secrets Manager ARN of the webhook secret, read at cold start into AERIAL_WEBHOOK_SECRET. */
  AERIAL_WEBHOOK_SECRET_ARN: z
    .string()
    .regex(/^arn:aws[a-z-]*:secretsmanager:/, 'must be a Secrets Manager secret ARN')
    .optional(),
  /** Budget throttle: each Batch compute environment's ARN and its configured max vCPUs (JSON). */
  COMPUTE_ENVIRONMENTS: jsonText(z.record(z.string(), z.number().int().min(0)), '{"arn:aws:batch:...":256}').default(
    {},
  ),
  /** Budget throttle: the environment's monthly budget in USD. */
  MONTHLY_BUDGET_USD: z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/, 'must be an amount in USD such as 500')
    .transform(Number)
    .optional(),
  /** Queue depth: the Batch job queues whose RUNNABLE jobs are counted (JSON list of ARNs). */
  JOB_QUEUES: jsonText(z.array(z.string().min(1)), '["arn:aws:batch:...:job-queue/aerial-cpu"]').default([]),
});
export type LambdaEnv = z.infer<typeof LambdaEnvSchema>;

/** Who reads a variable: the programs the environment-variable reference names. */
export type VariableReader =
  | 'hub'
  | 'cli'
  | 'engine'
  | 'stage process'
  | 'lambda: stage function'
  | 'lambda: start job'
  | 'lambda: budget throttle'
  | 'lambda: queue depth';

export interface VariableUse {
  /** One line for the reference. */
  readonly description: string;
  readonly readBy: readonly VariableReader[];
}

type Uses<S extends z.ZodObject> = { readonly [K in keyof z.input<S>]-?: VariableUse };

const STAGES: VariableReader[] = ['stage process', 'lambda: stage function'];
const EVERYONE: VariableReader[] = ['hub', 'cli', 'engine', ...STAGES];

/** Who reads each runtime-config variable (its description is the schema's doc comment). */
export const RUNTIME_VARIABLE_USES: Uses<typeof RuntimeConfigSchema> = {
  AERIAL_ENV: {
    description: 'The deployment environment: dev, staging or prod.',
    readBy: [...EVERYONE, 'lambda: queue depth'],
  },
  AERIAL_DATA_DIR: {
    description: 'Folder of the local data (executions, objects, mail) when no store is configured.',
    readBy: ['hub', 'cli', 'engine', 'stage process'],
  },
  DATABASE_URL: {
    description: 'PostgreSQL + PostGIS of the tile database; an embedded PGlite when unset.',
    readBy: ['hub'],
  },
  MQTT_URL: {
    description: 'The MQTT broker job events go to; the Hub starts an embedded aedes broker when unset.',
    readBy: ['hub', 'cli', 'engine', 'stage process'],
  },
  SFN_ENDPOINT: {
    description: 'Step Functions API the Hub starts jobs on; the local engine when unset.',
    readBy: ['hub'],
  },
  OBJECT_STORE: {
    description: 'Where jobs keep their objects: file:<folder> or s3://<bucket>[/prefix].',
    readBy: EVERYONE,
  },
  UPLOADS_STORE: { description: 'Where uploaded datasets are read from; OBJECT_STORE when unset.', readBy: EVERYONE },
  PUBLISHED_STORE: {
    description: 'Where Publish writes the products and the Hub serves them from; OBJECT_STORE when unset.',
    readBy: ['hub', 'cli', 'engine', 'stage process'],
  },
  LOG_LEVEL: {
    description: 'Least severe log level written (fatal, error, warn, info, debug, trace).',
    readBy: [...EVERYONE, 'lambda: start job', 'lambda: budget throttle', 'lambda: queue depth'],
  },
  STATE_MACHINE_ARN: { description: 'The state machine jobs start on in AWS.', readBy: ['hub', 'lambda: start job'] },
  ARGO_SERVER_URL: {
    description: 'The Argo Server the Hub starts jobs on instead of Step Functions.',
    readBy: ['hub'],
  },
  ARGO_NAMESPACE: { description: 'Namespace of the Argo workflows.', readBy: ['hub'] },
  ARGO_TOKEN_FILE: { description: 'File holding the bearer token sent to the Argo Server.', readBy: ['hub'] },
  HUB_HOST: { description: 'Address the Hub listens on.', readBy: ['hub'] },
  HUB_PORT: { description: 'Port the Hub listens on.', readBy: ['hub'] },
  HUB_MQTT_ENGINE_PASSWORD: {
    description: "Password of the embedded broker's engine user (random each start when unset).",
    readBy: ['hub'],
  },
  HUB_RATE_LIMIT_PER_MINUTE: {
    description: 'API requests per minute per client (tiles are not counted).',
    readBy: ['hub'],
  },
  HUB_REQUIRE_KEY_FOR_READS: {
    description:
      '`true` to require an API key (any kind, read-only included) for every GET of the API and the tiles; `/health`, `/ready`, `/docs` and the page itself stay open. Default `false`: reads are open, writes always need a key.',
    readBy: ['hub'],
  },
  AERIAL_ENGINE_COMMAND: {
    description: 'Command the Hub starts the local engine with when SFN_ENDPOINT is unset.',
    readBy: ['hub'],
  },
  AERIAL_MAIL: {
    description: 'How Notify sends email: .eml files under the data directory, or Amazon SES.',
    readBy: STAGES,
  },
  AERIAL_MAIL_FROM: { description: "Sender address of Notify's email.", readBy: STAGES },
  AERIAL_WEBHOOK_SECRET: {
    description: 'Signs webhook deliveries (HMAC-SHA256 in x-aerial-signature).',
    readBy: STAGES,
  },
  AERIAL_WEATHER: {
    description: 'Weather at capture for Metadata: none, file:<path> or open-meteo.',
    readBy: ['stage process'],
  },
  COLMAP_BINARY: {
    description: 'The COLMAP executable SfM runs; colmap on PATH when unset.',
    readBy: ['stage process'],
  },
  AERIAL_SPLAT_TRAINER: {
    description: 'A Gaussian splatting trainer Splat runs; the untrained initialisation is written without it.',
    readBy: ['stage process'],
  },
};

/** Who reads each stage-process variable. */
export const STAGE_PROCESS_VARIABLE_USES: Uses<typeof StageProcessEnvSchema> = {
  AERIAL_STAGE: { description: 'The stage to run (the entrypoint argument takes precedence).', readBy: STAGES },
  AERIAL_JOB_ID: { description: 'The job the run belongs to.', readBy: ['stage process'] },
  AERIAL_REQUEST: { description: 'Argo: the job request (JSON) given to the first stage.', readBy: ['stage process'] },
  AERIAL_OUTCOME: { description: 'Argo: how the job ended (Succeeded or not), for Notify.', readBy: ['stage process'] },
  AERIAL_FAILURE: { description: 'Argo: why the job failed, for Notify.', readBy: ['stage process'] },
  AERIAL_STAGE_RETRIES: { description: 'Argo: the retry number (0 first).', readBy: ['stage process'] },
  AWS_BATCH_JOB_ATTEMPT: { description: 'AWS Batch: the attempt number (1 first).', readBy: ['stage process'] },
  AERIAL_STAGE_ATTEMPT: { description: 'Local engine: the attempt number (1 first).', readBy: ['stage process'] },
  AERIAL_METRICS: {
    description: 'emf: print a CloudWatch embedded-metric-format line per attempt.',
    readBy: ['stage process'],
  },
};

/** Who reads each Lambda variable. */
export const LAMBDA_VARIABLE_USES: Uses<typeof LambdaEnvSchema> = {
  AERIAL_ENVIRONMENT_CONFIG: {
    description: 'The deployed environment config (JSON), overrides included.',
    readBy: ['lambda: stage function'],
  },
  NOTIFY_TOPIC_ARN: {
    description: 'SNS topic that carries the MQTT-bound outcome in AWS.',
    readBy: ['lambda: stage function'],
  },
  AERIAL_WEBHOOK_SECRET_ARN: {
    description: 'Secrets Manager ARN of the webhook secret, read at cold start.',
    readBy: ['lambda: stage function'],
  },
  COMPUTE_ENVIRONMENTS: {
    description: 'Batch compute environments and their configured max vCPUs (JSON).',
    readBy: ['lambda: budget throttle'],
  },
  MONTHLY_BUDGET_USD: { description: "The environment's monthly budget in USD.", readBy: ['lambda: budget throttle'] },
  JOB_QUEUES: {
    description: 'Batch job queues whose RUNNABLE jobs are counted (JSON list).',
    readBy: ['lambda: queue depth'],
  },
};

/** One row of the environment-variable reference the docs generate. */
export interface EnvironmentVariable {
  readonly name: string;
  /** The schema it belongs to: what kind of process is given it. */
  readonly group: 'runtime' | 'stage process' | 'lambda';
  /** JSON Schema of the value as written (type, pattern, enum, default, description). */
  readonly schema: Record<string, unknown>;
  readonly default?: unknown;
  readonly description: string;
  readonly readBy: readonly VariableReader[];
}

/**
 * Every variable an Aerial process reads, from the schemas themselves: the docs render this as the
 * environment-variable reference, so the reference cannot drift from what the code reads.
 */
export function environmentVariables(): EnvironmentVariable[] {
  const groups = [
    ['runtime', RuntimeConfigSchema, RUNTIME_VARIABLE_USES],
    ['stage process', StageProcessEnvSchema, STAGE_PROCESS_VARIABLE_USES],
    ['lambda', LambdaEnvSchema, LAMBDA_VARIABLE_USES],
  ] as const;
  return groups.flatMap(([group, schema, uses]) => {
    const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
      properties: Record<string, Record<string, unknown>>;
    };
    const fields = schema.shape as Record<string, z.ZodType>;
    return Object.entries(uses as Record<string, VariableUse>).map(([name, use]) => {
      // What an unset variable becomes, as the loader gives it (a transformed value for some).
      const unset = fields[name]?.safeParse(undefined);
      return {
        name,
        group,
        schema: json.properties[name] ?? {},
        ...(unset?.success && unset.data !== undefined ? { default: unset.data } : {}),
        description: use.description,
        readBy: use.readBy,
      };
    });
  });
}

/** The runtime-config variables, typed: infra sets them under these names. */
export type RuntimeVariable = keyof RuntimeConfig;
/** The stage-process variables, typed: the engines set them under these names. */
export type StageProcessVariable = keyof StageProcessEnv;
/** The Lambda variables, typed: the infra sets them under these names. */
export type LambdaVariable = keyof LambdaEnv;
