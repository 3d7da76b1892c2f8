/**
 * When Argo Workflows retries a failed node, written down from its documentation so that the
 * WorkflowTemplate's `retryStrategy` can be checked offline:
 * https://argo-workflows.readthedocs.io/en/latest/retries/ (argoproj/argo-workflows docs/retries.md)
 * - `retryPolicy`: `Always` retries every failed node; `OnFailure` nodes whose main container
 *   failed (phase Failed); `OnError` nodes with controller or init/wait errors (phase Error);
 *   `OnTransientError` errors the controller classifies as transient (util/errors/errors.go:
 *   API timeouts, connection resets, and TRANSIENT_ERROR_PATTERN).
 * - `expression`: an expr-lang expression over `lastRetry.exitCode` ("-1" when not available; a
 *   string), `lastRetry.status` ("Error" or "Failed"), `lastRetry.duration` (seconds) and
 *   `lastRetry.message`; "The `expression` result will be logical *and* with the `retryPolicy`.
 *   Both must be true to retry."
 * - `limit`: retries, not counting the first attempt (at most `limit + 1` attempts).
 * A pod deleted out of band (node drained or lost) ends its node in phase Error with message
 * "pod deleted" (argo-workflows#2855); a pod the kubelet ends for a graceful node shutdown fails
 * with "Pod was terminated in response to imminent node shutdown." (Argo's retry-conditional example).
 */
export interface LastRetry {
  readonly exitCode: string;
  readonly status: 'Error' | 'Failed';
  readonly duration: string;
  readonly message: string;
}

export interface RetryStrategy {
  readonly limit?: string | number;
  readonly retryPolicy?: string;
  readonly expression?: string;
}

/** Messages of the controller's transient errors (a sample of util/errors/errors.go). */
const TRANSIENT =
  /net\/http: TLS handshake timeout|connection reset by peer|i\/o timeout|http2: client connection lost|too many requests|etcdserver: leader changed/;

/** Whether Argo starts another attempt after `attemptsSoFar` attempts, the last one ending as `last`. */
export function argoRetries(strategy: RetryStrategy, last: LastRetry, attemptsSoFar: number): boolean {
  if (attemptsSoFar > Number(strategy.limit ?? 0)) return false;
  // v3.5+: no policy with an expression means the expression alone decides.
  const policy = strategy.retryPolicy ?? (strategy.expression ? 'Always' : 'OnFailure');
  const byPolicy =
    policy === 'Always' ||
    (policy === 'OnFailure' && last.status === 'Failed') ||
    (policy === 'OnError' && last.status === 'Error') ||
    (policy === 'OnTransientError' && last.status === 'Error' && TRANSIENT.test(last.message));
  return byPolicy && (strategy.expression === undefined || evaluate(strategy.expression, { lastRetry: last }) === true);
}

type Value = string | number | boolean | Record<string, unknown>;

/**
 * The subset of expr-lang (https://expr-lang.org/docs/language-definition) a retry expression
 * needs: literals, member access, `asInt(...)` (Argo's), `== != < > <= >=`, `matches`, `! && ||`
 * and parentheses. Comparisons are typed as in expr: `"75" == 75` is false, not coerced.
 */
export function evaluate(expression: string, env: Record<string, unknown>): Value {
  const tokens = expression.match(/\s*(\d+|"[^"]*"|'[^']*'|[A-Za-z_][\w.]*|==|!=|<=|>=|&&|\|\||[()!<>])/g);
  if (!tokens || tokens.join('').replace(/\s/g, '') !== expression.replace(/\s/g, ''))
    throw new Error(`cannot read expression: ${expression}`);
  const list = tokens.map((t) => t.trim());
  let i = 0;
  const peek = () => list[i];
  const next = () => list[i++]!;
  const expect = (t: string) => {
    if (next() !== t) throw new Error(`expected ${t} in ${expression}`);
  };

  const primary = (): Value => {
    const t = next();
    if (t === '(') {
      const v = or();
      expect(')');
      return v;
    }
    if (/^\d+$/.test(t)) return Number(t);
    if (/^["']/.test(t)) return t.slice(1, -1);
    if (t === 'true' || t === 'false') return t === 'true';
    if (peek() === '(') {
      next();
      const arg = or();
      expect(')');
      if (t !== 'asInt') throw new Error(`unknown function ${t}`);
      if (typeof arg === 'number') return Math.trunc(arg);
      if (typeof arg !== 'string' || !/^-?\d+$/.test(arg)) throw new Error(`asInt: not an integer: ${String(arg)}`);
      return Number(arg);
    }
    let v: unknown = env;
    for (const part of t.split('.')) v = (v as Record<string, unknown> | undefined)?.[part];
    if (v === undefined) throw new Error(`unknown name ${t}`);
    return v as Value;
  };
  const comparison = (): Value => {
    const left = primary();
    const op = peek();
    if (!op || !['==', '!=', '<', '>', '<=', '>=', 'matches'].includes(op)) return left;
    next();
    const right = primary();
    if (op === '==') return left === right;
    if (op === '!=') return left !== right;
    if (op === 'matches') {
      if (typeof left !== 'string' || typeof right !== 'string') throw new Error('matches needs strings');
      return new RegExp(right).test(left);
    }
    if (typeof left !== 'number' || typeof right !== 'number') throw new Error(`${op} needs numbers`);
    return op === '<' ? left < right : op === '>' ? left > right : op === '<=' ? left <= right : left >= right;
  };
  const unary = (): Value => {
    if (peek() === '!') {
      next();
      return !truthy(unary());
    }
    return comparison();
  };
  const and = (): Value => {
    let v = unary();
    while (peek() === '&&') {
      next();
      const r = unary();
      v = truthy(v) && truthy(r);
    }
    return v;
  };
  const or = (): Value => {
    let v = and();
    while (peek() === '||') {
      next();
      const r = and();
      v = truthy(v) || truthy(r);
    }
    return v;
  };
  const value = or();
  if (i !== list.length) throw new Error(`unexpected ${peek()} in ${expression}`);
  return value;
}

function truthy(v: Value): boolean {
  if (typeof v !== 'boolean') throw new Error(`not a boolean: ${String(v)}`);
  return v;
}
