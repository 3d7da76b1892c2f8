import { AerialError, loadRuntimeConfig } from '@aerial/contracts';
import { z } from 'zod';
import {
  childProcessEnv,
  configToEnv,
  loadEnvironment,
  loadLambdaEnv,
  loadProcessConfig,
  loadStageProcessEnv,
} from './process-config';

const reasonOf = (load: () => unknown): string => {
  try {
    load();
  } catch (e) {
    expect(e).toBeInstanceOf(AerialError);
    return (e as AerialError).reason;
  }
  throw new Error('expected the load to fail');
};

describe('process configuration loaders', () => {
  test('the stage tools are runtime configuration, unset by default', () => {
    const config = loadProcessConfig({ COLMAP_BINARY: '/opt/colmap/bin/colmap', AERIAL_SPLAT_TRAINER: '' });
    expect(config.COLMAP_BINARY).toBe('/opt/colmap/bin/colmap');
    expect(config.AERIAL_SPLAT_TRAINER).toBeUndefined();
  });

  test('a stage process reads its run from whichever orchestrator set it', () => {
    const env = loadStageProcessEnv({
      AERIAL_STAGE: 'Notify',
      AERIAL_JOB_ID: 'job-20260101-0123abcd',
      AERIAL_STAGE_RETRIES: '2',
      AERIAL_REQUEST: '{"preset":"map"}',
      AERIAL_OUTCOME: 'Failed',
    });
    expect(env).toMatchObject({ AERIAL_STAGE: 'Notify', AERIAL_STAGE_RETRIES: 2, AERIAL_METRICS: 'none' });
    expect(env.AERIAL_REQUEST).toEqual({ preset: 'map' });
  });

  test('bad stage-process values are each named with what they must be', () => {
    const reason = reasonOf(() =>
      loadStageProcessEnv({
        AERIAL_STAGE: 'Paint',
        AWS_BATCH_JOB_ATTEMPT: 'two',
        AERIAL_REQUEST: '{not json',
        AERIAL_METRICS: 'prometheus',
      }),
    );
    expect(reason).toMatch(/^invalid stage process environment: /);
    expect(reason).toMatch(/AERIAL_STAGE: /);
    expect(reason).toMatch(/AWS_BATCH_JOB_ATTEMPT: must be a whole number/);
    expect(reason).toMatch(/AERIAL_REQUEST: must be JSON/);
    expect(reason).toMatch(/AERIAL_METRICS: /);
  });

  test('the Lambdas read their lists as JSON, with the same per-variable messages', () => {
    expect(loadLambdaEnv({})).toEqual({ COMPUTE_ENVIRONMENTS: {}, JOB_QUEUES: [] });
    expect(
      loadLambdaEnv({
        COMPUTE_ENVIRONMENTS: '{"arn:aws:batch:ce/a":64}',
        MONTHLY_BUDGET_USD: '250',
        JOB_QUEUES: '["q1"]',
      }),
    ).toEqual({ COMPUTE_ENVIRONMENTS: { 'arn:aws:batch:ce/a': 64 }, MONTHLY_BUDGET_USD: 250, JOB_QUEUES: ['q1'] });
    const reason = reasonOf(() =>
      loadLambdaEnv({ COMPUTE_ENVIRONMENTS: '{"a":"many"}', MONTHLY_BUDGET_USD: 'lots', NOTIFY_TOPIC_ARN: 'topic' }),
    );
    expect(reason).toMatch(/COMPUTE_ENVIRONMENTS\.a: /);
    expect(reason).toMatch(/MONTHLY_BUDGET_USD: must be an amount in USD/);
    expect(reason).toMatch(/NOTIFY_TOPIC_ARN: must be an SNS topic ARN/);
  });

  test("a program's own variables load with the same rules", () => {
    const schema = z.object({ AERIAL_FAULT_PLAN: z.string().optional() });
    expect(loadEnvironment(schema, 'fault engine configuration', { AERIAL_FAULT_PLAN: ' ' })).toEqual({});
  });

  test('a child gets the loaded config, not the inherited Aerial variables; PATH and the SDK settings pass', () => {
    const config = loadRuntimeConfig({ MQTT_URL: 'mqtt://broker:1883', AERIAL_DATA_DIR: '/data' });
    const env = childProcessEnv(
      config,
      { AERIAL_JOB_ID: 'job-20260101-0123abcd' },
      { PATH: '/usr/bin', AWS_REGION: 'eu-west-1', MQTT_URL: 'mqtt://elsewhere:1883', AERIAL_STAGE_ATTEMPT: '3' },
    );
    expect(env).toMatchObject({
      PATH: '/usr/bin',
      AWS_REGION: 'eu-west-1',
      MQTT_URL: 'mqtt://broker:1883',
      AERIAL_DATA_DIR: '/data',
      AERIAL_JOB_ID: 'job-20260101-0123abcd',
    });
    expect(env.AERIAL_STAGE_ATTEMPT).toBeUndefined();
    // What the child loads is what the parent loaded.
    expect(loadProcessConfig(env)).toEqual(config);
    expect(loadProcessConfig(configToEnv(config))).toEqual(config);
  });
});
