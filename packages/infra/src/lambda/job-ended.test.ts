import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { isExecutionStatusChange, notifyInvocationFor, type ExecutionStatusChange } from './job-ended';
import { NOTIFY_ENVIRONMENT } from './lambda-environment';
import { loadLambdaEnv } from '@aerial/runtime';
import { deployedEnvironment, webhookSecret } from './stage-function';
import { DEFAULT_ENVIRONMENTS, DEFAULT_PRESET } from '@aerial/contracts';

const JOB = 'job-20261129-0a1b2c3d';
const ended = (status: string, extra: Partial<ExecutionStatusChange['detail']> = {}): ExecutionStatusChange => ({
  'detail-type': 'Step Functions Execution Status Change',
  detail: {
    executionArn: `arn:aws:states:eu-west-1:000000000000:execution:aerial-dev-job:${JOB}`,
    name: JOB,
    status,
    input: JSON.stringify({
      jobId: JOB,
      request: { source: { kind: 'prefix', prefix: 'datasets/farm' }, notify: [{ kind: 'mqtt' }] },
    }),
    ...extra,
  },
});

describe('a job that ends without its Notify state', () => {
  test('a whole-job timeout is reported as a failure to the request’s targets', () => {
    const invocation = notifyInvocationFor(ended('TIMED_OUT'), 'Notify');
    expect(invocation).toMatchObject({
      jobId: JOB,
      stage: 'Notify',
      outcome: 'failed',
      failure: { Error: 'States.Timeout' },
      request: { notify: [{ kind: 'mqtt' }], preset: DEFAULT_PRESET },
    });
  });

  test('an abort, and a failure whose Notify failed, are reported with their error', () => {
    expect(notifyInvocationFor(ended('ABORTED'), 'Notify')?.failure).toMatchObject({ Error: 'Aerial.Cancelled' });
    expect(
      notifyInvocationFor(ended('FAILED', { error: 'Aerial.InvalidInput', cause: 'no photos' }), 'Notify')?.failure,
    ).toEqual({ Error: 'Aerial.InvalidInput', Cause: 'no photos' });
  });

  test('a job whose input is missing is still reported by its execution name (the job id)', () => {
    expect(notifyInvocationFor(ended('TIMED_OUT', { input: null }), 'Notify')).toMatchObject({ jobId: JOB });
    expect(notifyInvocationFor(ended('TIMED_OUT', { input: null, name: 'Manual_Run' }), 'Notify')).toBeUndefined();
  });

  test('running and succeeded executions are not reported here', () => {
    expect(notifyInvocationFor(ended('RUNNING'), 'Notify')).toBeUndefined();
    expect(notifyInvocationFor(ended('SUCCEEDED'), 'Notify')).toBeUndefined();
  });

  test('only EventBridge status changes are taken for one', () => {
    expect(isExecutionStatusChange(ended('FAILED'))).toBe(true);
    expect(isExecutionStatusChange({ jobId: JOB, stage: 'Notify' })).toBe(false);
  });
});

describe('the webhook secret', () => {
  const sm = mockClient(SecretsManagerClient);
  test('is read once at cold start from its Secrets Manager ARN; one set directly wins', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: 'a-generated-secret-of-48-characters' });
    const env = loadLambdaEnv({
      [NOTIFY_ENVIRONMENT.webhookSecretArn]: 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:w',
    });
    const client = new SecretsManagerClient({});
    expect(await webhookSecret({}, env, client)).toBe('a-generated-secret-of-48-characters');
    expect(await webhookSecret({}, env, client)).toBe('a-generated-secret-of-48-characters');
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(await webhookSecret({ AERIAL_WEBHOOK_SECRET: 'set-directly-16chars' }, env, client)).toBe(
      'set-directly-16chars',
    );
  });
});

describe('the environment a function stage runs in', () => {
  test('is the deployed config, so GuardBudget refuses against the budget this deployment set', () => {
    const deployed = { ...DEFAULT_ENVIRONMENTS.dev, budget: { monthlyUsd: 2000, maxJobUsd: 40, alertEmails: [] } };
    const env = { AERIAL_ENVIRONMENT_CONFIG: JSON.stringify(deployed) };
    expect(deployedEnvironment('dev', env).budget.monthlyUsd).toBe(2000);
    expect(deployedEnvironment('dev', {})).toBe(DEFAULT_ENVIRONMENTS.dev);
    expect(() => deployedEnvironment('prod', env)).toThrow(/is for dev, not prod/);
  });
});
