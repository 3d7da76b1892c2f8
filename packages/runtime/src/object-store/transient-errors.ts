import { AerialError } from '@aerial/contracts';

/**
 * Node system error codes of I/O that can succeed when tried again: the network dropped or
 * stalled, a peer was briefly away, the process ran out of descriptors, or the disk filled.
 *
 * A full disk (ENOSPC, EDQUOT) counts as transient: scratch space and object-store volumes are
 * shared, and space comes back as other jobs finish and their temporary files go. The retry waits
 * with backoff; if the disk is still full after the stage's attempts, the job fails with this
 * reason, which says what to free. Permission and not-found errors are permanent: trying again
 * changes nothing.
 */
const TRANSIENT_CODES: Readonly<Record<string, string>> = {
  ECONNRESET: 'the connection was reset',
  ECONNREFUSED: 'the connection was refused',
  ECONNABORTED: 'the connection was aborted',
  ETIMEDOUT: 'the operation timed out',
  EPIPE: 'the connection closed while writing',
  EHOSTUNREACH: 'the host was unreachable',
  ENETUNREACH: 'the network was unreachable',
  ENETDOWN: 'the network was down',
  EAI_AGAIN: 'name resolution failed for now',
  EAGAIN: 'the resource was temporarily unavailable',
  EBUSY: 'the resource was busy',
  EMFILE: 'the process had too many open files',
  ENFILE: 'the system had too many open files',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  UND_ERR_SOCKET: 'the connection closed unexpectedly',
  UND_ERR_CONNECT_TIMEOUT: 'connecting timed out',
};

/** S3 (and other AWS service) error names that mean "slow down" or "try again". */
const TRANSIENT_SERVICE_ERRORS = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalError',
  'ServiceUnavailable',
  'TimeoutError',
]);

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

/**
 * Why `error` is worth retrying, or undefined when it is not: a system I/O code (on the error or
 * a cause it wraps), an AWS SDK error the SDK marks retryable, a 5xx or 429 answer, or a
 * throttling or timeout error by name.
 */
export function transientCause(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const e = current as ErrorLike;
    if (typeof e.code === 'string' && e.code in TRANSIENT_CODES) return `${TRANSIENT_CODES[e.code]} (${e.code})`;
    const status = e.$metadata?.httpStatusCode;
    if (typeof status === 'number' && (status >= 500 || status === 429))
      return `the service answered ${status}${typeof e.name === 'string' ? ` ${e.name}` : ''}`;
    if (typeof e.name === 'string' && TRANSIENT_SERVICE_ERRORS.has(e.name)) return `the service said ${e.name}`;
    if (e.$retryable)
      return `the service marked the error retryable${typeof e.name === 'string' ? ` (${e.name})` : ''}`;
    current = e.cause;
  }
  return undefined;
}

/**
 * The named error for anything a stage throws: named errors pass through; I/O and service errors
 * that may clear become `Aerial.Transient` (exit code 75, so Batch, Argo and the local engine
 * retry the stage); the rest become `Aerial.Internal`.
 */
export function classifyError(error: unknown): AerialError {
  if (error instanceof AerialError) return error;
  const cause = transientCause(error);
  if (!cause) return AerialError.from(error);
  const message = error instanceof Error ? error.message : String(error);
  const full = /ENOSPC|EDQUOT/.test(cause);
  return new AerialError(
    'Aerial.Transient',
    `${cause}: ${message}`,
    full
      ? 'free space on the object store or scratch disk; the stage is retried, then the job can be retried'
      : 'the stage is retried; if it keeps failing, check the object store and the network',
  );
}
