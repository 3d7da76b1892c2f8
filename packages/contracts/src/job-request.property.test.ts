import fc from 'fast-check';
import { AerialError } from './errors';
import { JobRequestSchema } from './job-request';
import { parseAtBoundary } from './validation';

/** The job request boundary (Hub API, CLI, start-job Lambda): whatever arrives, one of two outcomes. */
describe('job request: properties', () => {
  const parse = (value: unknown) => parseAtBoundary(JobRequestSchema, value, 'job request');

  test('any JSON value is either a valid request or Aerial.InvalidInput on one line naming fields', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        try {
          expect(JobRequestSchema.parse(parse(value))).toEqual(parse(value));
        } catch (e) {
          expect(e).toBeInstanceOf(AerialError);
          expect((e as AerialError).name).toBe('Aerial.InvalidInput');
          expect((e as AerialError).reason).toMatch(/^invalid job request: \S+: /);
          expect((e as AerialError).reason).not.toMatch(/\n/);
        }
      }),
      { numRuns: 500 },
    );
  });

  test('requests shaped like real ones, with random fields, never escape the two outcomes', () => {
    const source = fc.oneof(
      fc.record({ kind: fc.constantFrom('folder', 'zip', 'prefix', 'ftp'), path: fc.string(), prefix: fc.string() }),
      fc.anything(),
    );
    const request = fc.record(
      {
        source,
        preset: fc.oneof(fc.constantFrom('survey', 'map', '3d', 'full'), fc.string()),
        priority: fc.oneof(fc.constantFrom('high', 'normal', 'low'), fc.anything()),
        options: fc.dictionary(
          fc.constantFrom('maxShDegree', 'maxImageSize', 'minAcceptedImages', 'mosaicProjection', 'flightHeightM'),
          fc.oneof(fc.integer(), fc.double(), fc.string()),
        ),
        notify: fc.array(
          fc.record({
            kind: fc.constantFrom('email', 'webhook', 'mqtt'),
            url: fc.webUrl(),
            address: fc.emailAddress(),
          }),
          { maxLength: 12 },
        ),
        label: fc.string({ maxLength: 300 }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(request, (value) => {
        let parsed;
        try {
          parsed = parse(value);
        } catch (e) {
          expect((e as AerialError).name).toBe('Aerial.InvalidInput');
          return;
        }
        // What passes keeps the contract's bounds.
        expect(parsed.notify.length).toBeLessThanOrEqual(10);
        expect((parsed.label ?? '').length).toBeLessThanOrEqual(200);
        if (parsed.options.flightHeightM !== undefined) expect(parsed.options.flightHeightM).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });

  test('a prefix with a ".." segment, a leading "/", a backslash or NUL is always refused', () => {
    const segment = fc.stringMatching(/^[a-z0-9._-]{1,8}$/);
    const bad = fc.oneof(
      fc
        .tuple(fc.array(segment, { maxLength: 3 }), fc.array(segment, { maxLength: 3 }))
        .map(([a, b]) => [...a, '..', ...b].join('/')),
      fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => `/${parts.join('/')}`),
      fc.tuple(segment, segment).map(([a, b]) => `${a}\\${b}`),
      fc.tuple(segment, segment).map(([a, b]) => `${a}\0${b}`),
    );
    fc.assert(
      fc.property(bad, (prefix) => {
        expect(() => parse({ source: { kind: 'prefix', prefix } })).toThrow(/source\.prefix: /);
      }),
    );
  });

  test('a relative prefix of safe segments is always taken as given', () => {
    const segment = fc.stringMatching(/^[a-z0-9_-][a-z0-9._-]{0,11}$/).filter((s) => s !== '..' && s !== '.');
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 5 }), fc.boolean(), (parts, slash) => {
        const prefix = `${parts.join('/')}${slash ? '/' : ''}`;
        expect(parse({ source: { kind: 'prefix', prefix } }).source).toEqual({ kind: 'prefix', prefix });
      }),
    );
  });
});
