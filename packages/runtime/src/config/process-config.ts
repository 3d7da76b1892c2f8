import {
  type LambdaEnv,
  LambdaEnvSchema,
  loadRuntimeConfig,
  parseEnvironment,
  type RuntimeConfig,
  RuntimeConfigSchema,
  type StageProcessEnv,
  StageProcessEnvSchema,
} from '@aerial/contracts';
import { type z } from 'zod';

/** Variables as a process receives them. */
export type Environment = Record<string, string | undefined>;

/*
 * The one place Aerial reads `process.env`: each program's entry point calls a loader below once at
 * start (a bad value stops it there, named) and passes what it got to everything else.
 */

/** The runtime configuration (services, stores, logging, stage tools) of this process. */
export function loadProcessConfig(env: Environment = process.env): RuntimeConfig {
  return loadRuntimeConfig(env);
}

/** What the orchestrator told this stage process about its run (stage, job, attempt, Argo's extras). */
export function loadStageProcessEnv(env: Environment = process.env): StageProcessEnv {
  return parseEnvironment(StageProcessEnvSchema, env, 'stage process environment');
}

/** What the infra told a Lambda besides the runtime configuration. */
export function loadLambdaEnv(env: Environment = process.env): LambdaEnv {
  return parseEnvironment(LambdaEnvSchema, env, 'Lambda environment');
}

/**
 * Variables of a program's own (a test program's settings), with the same rules as every loader:
 * blank is unset, a bad value is named.
 */
export function loadEnvironment<S extends z.ZodType>(
  schema: S,
  what: string,
  env: Environment = process.env,
): z.output<S> {
  return parseEnvironment(schema, env, what);
}

/**
 * The configuration as variables, for a child process that loads it again (`loadProcessConfig`).
 * Defaults are left out: the child applies them itself (and some, such as `aerial@localhost`, are
 * defaults a variable could not set).
 */
export function configToEnv(config: RuntimeConfig): Record<string, string> {
  const defaults: Record<string, unknown> = loadRuntimeConfig({});
  return Object.fromEntries(
    Object.entries(config)
      .filter((entry): entry is [string, string | number] => entry[1] !== undefined && entry[1] !== defaults[entry[0]])
      .map(([name, value]) => [name, String(value)]),
  );
}

/** Every variable an Aerial schema owns: these a child gets from the loaded config, never inherited. */
const OWNED = new Set([
  ...Object.keys(RuntimeConfigSchema.shape),
  ...Object.keys(StageProcessEnvSchema.shape),
  ...Object.keys(LambdaEnvSchema.shape),
]);

/**
 * The environment of a child process (a stage process of the local engine): the loaded `config`
 * for every Aerial variable, and `extra` (the run's stage variables). The rest of `inherited` passes
 * through because the child's own libraries read it: PATH (COLMAP, a splat trainer), HOME and TMPDIR,
 * the AWS SDK's credentials and region, NODE_OPTIONS, the locale.
 */
export function childProcessEnv(
  config: RuntimeConfig,
  extra: Record<string, string> = {},
  inherited: Environment = process.env,
): Record<string, string> {
  const passed = Object.entries(inherited).filter(
    (entry): entry is [string, string] => entry[1] !== undefined && !OWNED.has(entry[0]),
  );
  return { ...Object.fromEntries(passed), ...configToEnv(config), ...extra };
}
