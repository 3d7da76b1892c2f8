/**
 * One bad environment variable (or a few): start-up must stop with one line that names each
 * variable and what it must look like — never a schema dump, never a default silently used.
 */
export interface ConfigCase {
  readonly target: 'config';
  readonly id: string;
  readonly env: Record<string, string>;
  readonly message: RegExp;
}

const config = (id: string, env: Record<string, string>, message: RegExp): ConfigCase => ({
  target: 'config',
  id,
  env,
  message,
});

export const configCases: readonly ConfigCase[] = [
  config('unknown-environment', { AERIAL_ENV: 'moon' }, /AERIAL_ENV: Invalid option: expected one of/),
  config(
    'database-url-wrong-scheme',
    { DATABASE_URL: 'mysql://db/aerial' },
    /DATABASE_URL: must be a postgres: or postgresql: URL/,
  ),
  config(
    'database-url-no-host',
    { DATABASE_URL: 'postgres://' },
    /DATABASE_URL: must be a postgres: or postgresql: URL such as/,
  ),
  config('database-url-not-a-url', { DATABASE_URL: 'localhost:5432' }, /DATABASE_URL: must be a postgres:/),
  config(
    'mqtt-url-http',
    { MQTT_URL: 'http://localhost:1883' },
    /MQTT_URL: must be a mqtt: or mqtts: or ws: or wss: URL/,
  ),
  config('mqtt-url-no-host', { MQTT_URL: 'mqtt://' }, /MQTT_URL: must be a mqtt:/),
  config('sfn-endpoint-not-a-url', { SFN_ENDPOINT: 'localhost' }, /SFN_ENDPOINT: must be a http: or https: URL/),
  config(
    'object-store-bare-path',
    { OBJECT_STORE: '/var/aerial' },
    /OBJECT_STORE: must be file:<folder> or s3:\/\/<bucket>/,
  ),
  config(
    'object-store-bad-bucket',
    { OBJECT_STORE: 's3://Aerial_Bucket' },
    /OBJECT_STORE: must be file:<folder> or s3:\/\/<bucket>/,
  ),
  config(
    'uploads-store-ftp',
    { UPLOADS_STORE: 'ftp://x/y' },
    /UPLOADS_STORE: must be file:<folder> or s3:\/\/<bucket>/,
  ),
  config('log-level-unknown', { LOG_LEVEL: 'verbose' }, /LOG_LEVEL: Invalid option/),
  config(
    'state-machine-not-an-arn',
    { STATE_MACHINE_ARN: 'aerial-job' },
    /STATE_MACHINE_ARN: must be a Step Functions state machine ARN/,
  ),
  config('argo-namespace-uppercase', { ARGO_NAMESPACE: 'Aerial_NS' }, /ARGO_NAMESPACE: must be a Kubernetes namespace/),
  config('hub-port-word', { HUB_PORT: 'eighty' }, /HUB_PORT: must be a port number from 0 to 65535 such as 8080/),
  config('hub-port-too-big', { HUB_PORT: '99999' }, /HUB_PORT: must be a port number/),
  config('hub-port-negative', { HUB_PORT: '-1' }, /HUB_PORT: must be a port number/),
  config('hub-port-hex', { HUB_PORT: '0x50' }, /HUB_PORT: must be a port number/),
  config('hub-port-exponent', { HUB_PORT: '8e3' }, /HUB_PORT: must be a port number/),
  config('hub-port-fraction', { HUB_PORT: '80.5' }, /HUB_PORT: must be a port number/),
  config(
    'rate-limit-zero',
    { HUB_RATE_LIMIT_PER_MINUTE: '0' },
    /HUB_RATE_LIMIT_PER_MINUTE: must be a whole number of at least 1/,
  ),
  config(
    'rate-limit-infinity',
    { HUB_RATE_LIMIT_PER_MINUTE: 'Infinity' },
    /HUB_RATE_LIMIT_PER_MINUTE: must be a whole number/,
  ),
  config(
    'engine-password-short',
    { HUB_MQTT_ENGINE_PASSWORD: 'secret' },
    /HUB_MQTT_ENGINE_PASSWORD: must be at least 16 characters/,
  ),
  config('mail-unknown', { AERIAL_MAIL: 'smtp' }, /AERIAL_MAIL: Invalid option/),
  config('mail-from-not-an-address', { AERIAL_MAIL_FROM: 'aerial' }, /AERIAL_MAIL_FROM: must be an email address/),
  config(
    'webhook-secret-short',
    { AERIAL_WEBHOOK_SECRET: 'abc' },
    /AERIAL_WEBHOOK_SECRET: must be at least 16 characters/,
  ),
  config(
    'weather-unknown',
    { AERIAL_WEATHER: 'met-office' },
    /AERIAL_WEATHER: must be none, open-meteo or file:<path>/,
  ),
  config(
    'several-at-once',
    { AERIAL_ENV: 'qa', HUB_PORT: 'x', MQTT_URL: 'tcp://b' },
    /^invalid environment configuration: AERIAL_ENV: .*; MQTT_URL: must be .*; HUB_PORT: must be a port number/,
  ),
];

/** The cases also run through the Hub's start-up (a process), to see the line an operator sees. */
export const hubStartupCases: readonly string[] = ['hub-port-too-big', 'database-url-no-host', 'mqtt-url-http'];
