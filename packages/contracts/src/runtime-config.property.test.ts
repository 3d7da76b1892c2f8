import fc from 'fast-check';
import { AerialError } from './errors';
import { loadRuntimeConfig, RuntimeConfigSchema } from './runtime-config';

const VARIABLES = Object.keys(RuntimeConfigSchema.shape);

/** Start-up configuration: any environment either loads or stops with one line naming what is wrong. */
describe('runtime config: properties', () => {
  test('any values for the known variables: a config, or one line naming only bad variables', () => {
    const env = fc.dictionary(fc.constantFrom(...VARIABLES), fc.oneof(fc.string(), fc.webUrl(), fc.nat().map(String)));
    fc.assert(
      fc.property(env, (given) => {
        try {
          const config = loadRuntimeConfig(given);
          expect(Number.isInteger(config.HUB_PORT)).toBe(true);
          expect(config.HUB_PORT).toBeGreaterThanOrEqual(0);
          expect(config.HUB_PORT).toBeLessThanOrEqual(65_535);
        } catch (e) {
          expect(e).toBeInstanceOf(AerialError);
          const error = e as AerialError;
          expect(error.name).toBe('Aerial.InvalidInput');
          expect(error.message).not.toMatch(/\n/);
          for (const named of error.reason.matchAll(/(?:: |; )([A-Z][A-Z_]+): /g))
            expect(given).toHaveProperty(named[1]!);
        }
      }),
      { numRuns: 500 },
    );
  });

  test('unknown variables never matter', () => {
    const other = fc.dictionary(
      fc.stringMatching(/^[A-Z][A-Z0-9_]{0,20}$/).filter((k) => !VARIABLES.includes(k)),
      fc.string(),
    );
    fc.assert(fc.property(other, (env) => expect(loadRuntimeConfig(env)).toEqual(loadRuntimeConfig({}))));
  });

  test('HUB_PORT is taken exactly when it is a decimal port number', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: -100, max: 70_000 }).map(String), fc.string()), (value) => {
        const valid = /^\s*\d+\s*$/.test(value) && Number(value) <= 65_535;
        if (value.trim() === '') expect(loadRuntimeConfig({ HUB_PORT: value }).HUB_PORT).toBe(8080);
        else if (valid) expect(loadRuntimeConfig({ HUB_PORT: value }).HUB_PORT).toBe(Number(value));
        else expect(() => loadRuntimeConfig({ HUB_PORT: value })).toThrow(/HUB_PORT: must be a port number/);
      }),
      { numRuns: 500 },
    );
  });
});
