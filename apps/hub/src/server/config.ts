import { type RuntimeConfig } from '@aerial/contracts';
import { childProcessEnv, type Environment, loadProcessConfig } from '@aerial/runtime';
import { resolve } from 'node:path';

/**
 * The Hub's configuration: the runtime schema read by the one loader, with the data directory made
 * absolute (the stores, the embedded services and the engine child must all mean the same folder,
 * whatever their working directory).
 */
export function loadHubConfig(env?: Environment): RuntimeConfig {
  const config = loadProcessConfig(env);
  return { ...config, AERIAL_DATA_DIR: resolve(config.AERIAL_DATA_DIR) };
}

/**
 * The local engine child's environment, built as for every child process (`childProcessEnv`): the
 * Hub's configuration as variables (so the child's loader reads the same values, the data
 * directory as resolved), then `overrides` (the broker credentials and stores the Hub chose for it).
 */
export function engineEnvironment(
  config: RuntimeConfig,
  overrides: Partial<Record<keyof RuntimeConfig, string>>,
  inherited?: Environment,
): Record<string, string> {
  const chosen = Object.fromEntries(
    Object.entries(overrides).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  return childProcessEnv(config, { AERIAL_DATA_DIR: config.AERIAL_DATA_DIR, ...chosen }, inherited);
}
