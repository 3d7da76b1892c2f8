import { LambdaEnvSchema, StageProcessEnvSchema, environmentVariables, stageAttempt } from './environment-variables';
import { RuntimeConfigSchema } from './runtime-config';

describe('the environment-variable reference', () => {
  const rows = environmentVariables();

  test('lists every variable of every schema once, with who reads it and a description', () => {
    const names = [
      ...Object.keys(RuntimeConfigSchema.shape),
      ...Object.keys(StageProcessEnvSchema.shape),
      ...Object.keys(LambdaEnvSchema.shape),
    ];
    expect(rows.map((r) => r.name).sort()).toEqual([...names].sort());
    expect(new Set(names).size).toBe(names.length);
    for (const row of rows) {
      expect(row.readBy.length).toBeGreaterThan(0);
      expect(row.description).toMatch(/\.$/);
    }
  });

  test('carries each default and the form of the value as written', () => {
    const byName = new Map(rows.map((r) => [r.name, r]));
    expect(byName.get('LOG_LEVEL')).toMatchObject({
      group: 'runtime',
      default: 'info',
      schema: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] },
    });
    expect(byName.get('HUB_PORT')?.default).toBe(8080);
    expect(byName.get('AERIAL_METRICS')).toMatchObject({ group: 'stage process', default: 'none' });
    expect(byName.get('JOB_QUEUES')).toMatchObject({ group: 'lambda', readBy: ['lambda: queue depth'] });
    expect(byName.get('MQTT_URL')?.default).toBeUndefined();
  });
});

test('a stage attempt comes from whichever orchestrator numbered it', () => {
  expect(stageAttempt({ AERIAL_METRICS: 'none' })).toBe(1);
  expect(stageAttempt({ AERIAL_METRICS: 'none', AERIAL_STAGE_RETRIES: 0 })).toBe(1);
  expect(stageAttempt({ AERIAL_METRICS: 'none', AWS_BATCH_JOB_ATTEMPT: 3 })).toBe(3);
  expect(stageAttempt({ AERIAL_METRICS: 'none', AERIAL_STAGE_ATTEMPT: 2 })).toBe(2);
});
