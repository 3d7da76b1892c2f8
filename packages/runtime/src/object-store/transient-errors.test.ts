import { AerialError } from '@aerial/contracts';
import { classifyError, transientCause } from './transient-errors';

const systemError = (code: string) => Object.assign(new Error(`${code}: something`), { code });

describe('transient error classification', () => {
  test.each(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOSPC', 'EAI_AGAIN', 'EMFILE'])(
    'a %s from I/O is Aerial.Transient (retried)',
    (code) => {
      const error = classifyError(systemError(code));
      expect(error.name).toBe('Aerial.Transient');
      expect(error.reason).toContain(code);
    },
  );

  test('a full disk says what to free', () => {
    expect(classifyError(systemError('ENOSPC')).remedy).toMatch(/free space/);
  });

  test('S3 5xx, throttling and SDK-retryable errors are transient; a 403 is not', () => {
    const s3 = (name: string, status: number, extra: object = {}) =>
      Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status }, ...extra });
    expect(transientCause(s3('InternalError', 500))).toMatch(/500/);
    expect(transientCause(s3('SlowDown', 503))).toMatch(/503/);
    expect(transientCause(s3('TooManyRequests', 429))).toMatch(/429/);
    expect(transientCause(Object.assign(new Error('x'), { $retryable: {} }))).toMatch(/retryable/);
    expect(transientCause(s3('AccessDenied', 403))).toBeUndefined();
  });

  test('a wrapped cause is found', () => {
    expect(transientCause(new Error('upload failed', { cause: systemError('ECONNRESET') }))).toMatch(/ECONNRESET/);
  });

  test('permanent errors and named errors keep their names', () => {
    expect(classifyError(systemError('EACCES')).name).toBe('Aerial.Internal');
    expect(classifyError(systemError('ENOENT')).name).toBe('Aerial.Internal');
    const named = new AerialError('Aerial.QualityRejected', 'no photos');
    expect(classifyError(named)).toBe(named);
  });
});
