import { AERIAL_ERROR_NAMES, AERIAL_ERRORS, AerialError } from './errors';

describe('AerialError', () => {
  test('carries name, reason and remedy through its payload', () => {
    const error = new AerialError(
      'Aerial.BudgetExceeded',
      'job would cost $40, above the $25 limit',
      'choose fewer images',
    );
    const copy = AerialError.from(JSON.parse(JSON.stringify(error)));
    expect(copy).toBeInstanceOf(AerialError);
    expect(copy.toJSON()).toEqual({
      name: 'Aerial.BudgetExceeded',
      reason: 'job would cost $40, above the $25 limit',
      remedy: 'choose fewer images',
    });
    expect(copy.message).toBe('job would cost $40, above the $25 limit; choose fewer images');
  });

  test('only Aerial.Transient is retried', () => {
    expect(new AerialError('Aerial.Transient', 'broker unreachable').transient).toBe(true);
    expect(new AerialError('Aerial.InvalidInput', 'not a JPEG').transient).toBe(false);
  });

  test('wraps unknown errors as Aerial.Internal with their message', () => {
    const wrapped = AerialError.from(new TypeError('x is undefined'));
    expect(wrapped.name).toBe('Aerial.Internal');
    expect(wrapped.reason).toBe('x is undefined');
    expect(AerialError.from({ name: 'Aerial.Nope', reason: 'r' }).name).toBe('Aerial.Internal');
  });
});

describe('AERIAL_ERRORS', () => {
  test('every named error has a meaning and a remedy', () => {
    for (const name of AERIAL_ERROR_NAMES) {
      expect(AERIAL_ERRORS[name].meaning.length).toBeGreaterThan(20);
      expect(AERIAL_ERRORS[name].remedy.length).toBeGreaterThan(20);
    }
  });
});
