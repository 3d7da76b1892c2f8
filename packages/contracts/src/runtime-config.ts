import { z } from 'zod';
import { EnvironmentNameSchema } from './environment';
import { AerialError } from './errors';
import { parseAtBoundary } from './validation';

/** A URL of one of `protocols` that names a host ("postgres://" parses, then fails to connect). */
const url = (protocols: string[], example: string) =>
  z
    .string()
    .trim()
    .refine((v) => URL.canParse(v) && protocols.includes(new URL(v).protocol) && new URL(v).hostname !== '', {
      message: `must be a ${protocols.join(' or ')} URL such as ${example}`,
    });

/**
 * A whole number read from text, with one message for every way it can be wrong. Only decimal
 * digits: Number() also takes "0x50", "1e3" and "" (0), which nobody means as a port.
 */
const wholeNumber = (min: number, max: number, message: string) =>
  z
    .string()
    .trim()
    .regex(/^\d{1,16}$/, message)
    .transform(Number)
    .pipe(z.number().int(message).min(min, message).max(max, message));

/** Where a process keeps objects: a local folder, or an S3 bucket with an optional prefix. */
const storeLocation = z
  .string()
  .regex(
    /^(file:.+|s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?)$/,
    'must be file:<folder> or s3://<bucket>[/prefix]',
  );

/**
 * Process configuration read from environment variables at start-up. Every variable has a safe
 * default that selects the embedded service; a bad value stops start-up with a message naming it.
 */
export const RuntimeConfigSchema = z.object({
  AERIAL_ENV: EnvironmentNameSchema.default('dev'),
  AERIAL_DATA_DIR: z.string().min(1).default('.aerial'),
  DATABASE_URL: url(['postgres:', 'postgresql:'], 'postgres://user@localhost:5432/aerial').optional(),
  MQTT_URL: url(['mqtt:', 'mqtts:', 'ws:', 'wss:'], 'mqtt://localhost:1883').optional(),
  SFN_ENDPOINT: url(['http:', 'https:'], 'http://localhost:8083').optional(),
  OBJECT_STORE: storeLocation.optional(),
  /** Where uploaded datasets (the `prefix` source) are read from; defaults to OBJECT_STORE. */
  UPLOADS_STORE: storeLocation.optional(),
  /**
   * Where Publish writes the products and the Hub serves them from (the published bucket in
   * the cloud); defaults to OBJECT_STORE.
   */
  PUBLISHED_STORE: storeLocation.optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
  /** The state machine the Hub starts jobs on when SFN_ENDPOINT is AWS. */
  STATE_MACHINE_ARN: z
    .string()
    .regex(
      /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]+$/,
      'must be a Step Functions state machine ARN such as arn:aws:states:eu-west-1:123456789012:stateMachine:aerial-job',
    )
    .optional(),
  /** Jobs on Argo Workflows instead: the Argo Server, its namespace, and the token to send. */
  ARGO_SERVER_URL: url(['http:', 'https:'], 'https://argo-workflows-server.argo:2746').optional(),
  ARGO_NAMESPACE: z
    .string()
    .regex(/^[a-z0-9-]{1,63}$/, 'must be a Kubernetes namespace (lowercase letters, digits, -) such as aerial-pipeline')
    .default('aerial-pipeline'),
  ARGO_TOKEN_FILE: z.string().min(1).optional(),
  /** Where the Hub listens. */
  HUB_HOST: z.string().min(1).default('127.0.0.1'),
  HUB_PORT: wholeNumber(0, 65_535, 'must be a port number from 0 to 65535 such as 8080').default(8080),
  /**
   * Password of the `engine` user of the embedded broker (random each start when unset): lets
   * another process publish job events to a Hub's embedded broker.
   */
  HUB_MQTT_ENGINE_PASSWORD: z.string().min(16, 'must be at least 16 characters').optional(),
  /** API requests per minute per client (tiles are not counted). */
  HUB_RATE_LIMIT_PER_MINUTE: wholeNumber(
    1,
    Number.MAX_SAFE_INTEGER,
    'must be a whole number of at least 1 such as 600',
  ).default(600),
  /**
   * `true`: every read of the API and the tiles needs an API key too (any kind); `/health`,
   * `/ready`, `/docs` and the page's own files stay open. Writes always need a key.
   */
  HUB_REQUIRE_KEY_FOR_READS: z
    .enum(['true', 'false'], 'must be true or false')
    .default('false')
    .transform((v) => v === 'true'),
  /**
   * Without SFN_ENDPOINT the Hub starts the local engine with this command (it prints
   * `engine listening on <url>`); `pnpm start` sets it to the workers' `aerial engine`.
   */
  AERIAL_ENGINE_COMMAND: z.string().min(1).optional(),
  /** How Notify sends email: `.eml` files under the data directory, or Amazon SES. */
  AERIAL_MAIL: z.enum(['eml', 'ses']).default('eml'),
  AERIAL_MAIL_FROM: z.email('must be an email address such as aerial@example.com').default('aerial@localhost'),
  /** Signs webhook deliveries (HMAC-SHA256 in `x-aerial-signature`). */
  AERIAL_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Weather at capture for the Metadata stage: `none`, `file:<path>` or `open-meteo`. */
  AERIAL_WEATHER: z
    .string()
    .regex(/^(none|open-meteo|file:.+)$/, 'must be none, open-meteo or file:<path>')
    .default('none'),
  /** The COLMAP executable the SfM stage runs (e.g. a CUDA build elsewhere); `colmap` on PATH when unset. */
  COLMAP_BINARY: z.string().min(1).optional(),
  /** A 3D Gaussian splatting trainer the Splat stage runs; without it Splat writes the untrained initialisation. */
  AERIAL_SPLAT_TRAINER: z.string().min(1).optional(),
});
export type RuntimeConfig = z.infer<typeof RuntimeConfigSchema>;

/**
 * Reads the runtime configuration from `env`; throws `Aerial.InvalidInput` naming each bad variable
 * and what it must look like. A blank variable counts as unset: `MQTT_URL=` in a `.env` file or a
 * manifest means "not configured" (issue 18), and no setting here has a meaning for a blank value.
 */
export function loadRuntimeConfig(env: Record<string, string | undefined>): RuntimeConfig {
  return parseEnvironment(RuntimeConfigSchema, env, 'environment configuration');
}

/**
 * Parses environment variables with `schema`, the one way every Aerial process reads its
 * environment: blank counts as unset, and a bad value throws `Aerial.InvalidInput` naming each
 * bad variable and what it must look like.
 */
export function parseEnvironment<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined>,
  what: string,
): z.output<S> {
  const present = Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1].trim() !== ''),
  );
  try {
    return parseAtBoundary(schema, present, what);
  } catch (e) {
    const error = AerialError.from(e);
    throw new AerialError(
      error.name,
      error.reason,
      'set each variable named as shown, or leave it empty for its default',
    );
  }
}
