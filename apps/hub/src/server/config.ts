import { loadRuntimeConfig, type RuntimeConfig, RuntimeConfigSchema } from '@aerial/contracts';
import { resolve } from 'node:path';

/**
 * The Hub's configuration: the runtime schema read from the environment once, here, with the data
 * directory made absolute (the stores, the embedded services and the engine child must all mean
 * the same folder, whatever their working directory).
 */
export function loadHubConfig(env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  const config = loadRuntimeConfig(env);
  return { ...config, AERIAL_DATA_DIR: resolve(config.AERIAL_DATA_DIR) };
}

/**
 * Variables of the host, not settings of ours, that a child process needs to run at all: where
 * programs are (COLMAP, the splat trainer), the user's home and temporary folder, the locale, Node's
 * own options and extra CA certificates.
 */
const HOST_VARIABLES = [
  'PATH',
  'HOME',
  'USER',
  'TMPDIR',
  'LANG',
  'LC_ALL',
  'TZ',
  'NODE_OPTIONS',
  'NODE_EXTRA_CA_CERTS',
];

/**
 * Variables the engine's stages read that the Hub's schema does not hold, passed through by
 * prefix: the platform's own (`AERIAL_*`: the splat trainer, a test engine's fault plan), the AWS
 * SDK's credential chain and region (`AWS_*`), and the COLMAP binary.
 */
const PASSED_PREFIXES = ['AERIAL_', 'AWS_', 'COLMAP_'];

/**
 * The local engine child's environment: the host's variables it needs to run, the stage settings
 * it reads itself, then the Hub's configuration as variables (so the child's own loader reads
 * the same values, the data directory as resolved), then `overrides` (the broker credentials and
 * stores the Hub chose for it).
 */
export function engineEnvironment(
  config: RuntimeConfig,
  overrides: Partial<Record<keyof RuntimeConfig, string>>,
  env: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const passed = Object.entries(env).filter(
    ([name, value]) =>
      value !== undefined && (HOST_VARIABLES.includes(name) || PASSED_PREFIXES.some((p) => name.startsWith(p))),
  );
  // Only the settings the environment gave (as the Hub read them): the child applies the same
  // defaults itself, and some defaults are not values its schema accepts when given.
  const configured = Object.keys(RuntimeConfigSchema.shape)
    .filter((name) => env[name] !== undefined && env[name].trim() !== '')
    .map((name) => [name, String(config[name as keyof RuntimeConfig])]);
  return {
    ...Object.fromEntries(passed),
    ...Object.fromEntries(configured),
    AERIAL_DATA_DIR: config.AERIAL_DATA_DIR,
    ...overrides,
  };
}
