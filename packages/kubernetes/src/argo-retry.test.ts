import { TRANSIENT_EXIT_CODE } from '@aerial/contracts';
import { AERIAL_PIPELINE, RETRY_EXPRESSION } from '@aerial/definition';
import { rmSync } from 'node:fs';
import { type ManifestObject } from './cluster-pods';
import { argoRetries, evaluate, type LastRetry, type RetryStrategy } from './test-support/argo-retry-semantics';
import { synthesize } from './test-support/manifests';

// What Argo's controller reports about a failed attempt, per its docs (see argo-retry-semantics).
const exit = (code: number): LastRetry => ({
  exitCode: String(code),
  status: 'Failed',
  duration: '42',
  message: `Error (exit code ${code})`,
});
const podDeleted: LastRetry = { exitCode: '-1', status: 'Error', duration: '600', message: 'pod deleted' };
const nodeShutdown: LastRetry = {
  exitCode: '-1',
  status: 'Failed',
  duration: '600',
  message: 'Pod was terminated in response to imminent node shutdown.',
};
const executorFailed: LastRetry = { exitCode: '-1', status: 'Error', duration: '3', message: 'failed to save outputs' };

let objects: ManifestObject[];
let dir: string;
beforeAll(() => ({ dir, objects } = synthesize('prod')));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const stageStrategies = () =>
  ((objects.find((o) => o.kind === 'WorkflowTemplate')!.spec!.templates as Record<string, unknown>[]) ?? [])
    .filter((t) => t.container)
    .map((t) => ({ name: String(t.name), strategy: t.retryStrategy as RetryStrategy }));

describe('Argo retries the failures AWS Batch retries, and only those', () => {
  test('every stage template carries the one retry expression under the Always policy', () => {
    const strategies = stageStrategies();
    expect(strategies).toHaveLength(AERIAL_PIPELINE.stages.length);
    for (const { strategy } of strategies)
      expect(strategy).toMatchObject({ retryPolicy: 'Always', expression: RETRY_EXPRESSION });
  });

  test.each<{ after: string; last: LastRetry; retries: boolean }>([
    { after: `exit ${TRANSIENT_EXIT_CODE} (transient, try again)`, last: exit(TRANSIENT_EXIT_CODE), retries: true },
    { after: 'exit 1 (the stage failed)', last: exit(1), retries: false },
    { after: 'exit 137 (out of memory: the same pod would fail again)', last: exit(137), retries: false },
    {
      after: 'the pod was deleted (Karpenter drained its node: spot interruption; node lost)',
      last: podDeleted,
      retries: true,
    },
    { after: 'a graceful node shutdown', last: nodeShutdown, retries: true },
    { after: 'an init or wait container failed', last: executorFailed, retries: true },
  ])('after $after: retries $retries', ({ last, retries }) => {
    for (const { name, strategy } of stageStrategies())
      expect({ name, retries: argoRetries(strategy, last, 1) }).toEqual({ name, retries });
  });

  test('attempts in all equal the stage definition (Batch job definitions use the same count)', () => {
    for (const stage of AERIAL_PIPELINE.stages) {
      const { strategy } = stageStrategies().find((s) => s.name === `stage-${stage.name.toLowerCase()}`)!;
      const transient = exit(TRANSIENT_EXIT_CODE);
      let attempts = 1;
      while (argoRetries(strategy, transient, attempts)) attempts++;
      expect({ stage: stage.name, attempts }).toEqual({ stage: stage.name, attempts: stage.retry.attempts });
    }
  });

  test('the policy it replaces (OnTransientError) never retried exit 75 nor a node loss', () => {
    const old: RetryStrategy = {
      limit: '2',
      retryPolicy: 'OnTransientError',
      expression: 'asInt(lastRetry.exitCode) == 75',
    };
    expect(argoRetries(old, exit(TRANSIENT_EXIT_CODE), 1)).toBe(false);
    expect(argoRetries(old, podDeleted, 1)).toBe(false);
  });
});

describe('the expression reader follows expr-lang', () => {
  const env = { lastRetry: exit(75) };
  test('exit codes are strings: comparing without asInt is false, not coerced', () => {
    expect(evaluate('lastRetry.exitCode == 75', env)).toBe(false);
    expect(evaluate('asInt(lastRetry.exitCode) == 75', env)).toBe(true);
    expect(evaluate('lastRetry.exitCode == "75"', env)).toBe(true);
  });
  test('operators, precedence and regular expressions', () => {
    expect(evaluate('!(lastRetry.status == "Error") && asInt(lastRetry.duration) < 60', env)).toBe(true);
    expect(evaluate("lastRetry.message matches 'exit code 7[0-9]'", env)).toBe(true);
    expect(evaluate('false || true && false', env)).toBe(false);
  });
  test('unreadable expressions and unknown names are errors, not false', () => {
    expect(() => evaluate('lastRetry.exitCod == 1', env)).toThrow(/unknown name/);
    expect(() => evaluate('asInt(lastRetry.exitCode) = 75', env)).toThrow();
  });
});
