import { JobRequestSchema } from './job-request';
import { toJsonSchema } from './json-schema';
import { parseAtBoundary } from './validation';

describe('job request', () => {
  test('fills defaults: the map products, as from the CLI, the Hub and an upload', () => {
    const request = JobRequestSchema.parse({ source: { kind: 'folder', path: 'photos' } });
    expect(request).toEqual({
      source: { kind: 'folder', path: 'photos' },
      preset: 'map',
      options: {},
      priority: 'normal',
      notify: [],
    });
  });

  test('refuses an object-store prefix that climbs out with ".."', () => {
    expect(() =>
      parseAtBoundary(JobRequestSchema, { source: { kind: 'prefix', prefix: 'uploads/../secrets' } }, 'job request'),
    ).toThrow(/invalid job request: source.prefix: must not contain "\.\." segments/);
  });

  test.each(['/etc', '/uploads/ds-1/', 'uploads\\..\\secrets', 'uploads/\0/'])(
    'refuses an object-store prefix that is not a relative key: %j',
    (prefix) => {
      expect(() => parseAtBoundary(JobRequestSchema, { source: { kind: 'prefix', prefix } }, 'job request')).toThrow(
        /invalid job request: source.prefix: must be a key prefix in the uploads store/,
      );
    },
  );

  test('refuses non-http webhooks', () => {
    const result = JobRequestSchema.safeParse({
      source: { kind: 'zip', path: 'a.zip' },
      notify: [{ kind: 'webhook', url: 'file:///etc/passwd' }],
    });
    expect(result.success).toBe(false);
  });

  test('takes a flight height above the ground, in metres, as an option', () => {
    const request = JobRequestSchema.parse({
      source: { kind: 'folder', path: 'photos' },
      options: { flightHeightM: 80 },
    });
    expect(request.options.flightHeightM).toBe(80);
    expect(JobRequestSchema.parse({ source: { kind: 'folder', path: 'photos' } }).options).not.toHaveProperty(
      'flightHeightM',
    );
  });

  test.each([0, -5, 10_001, 'abc'])('refuses a flight height of %p', (flightHeightM) => {
    expect(() =>
      parseAtBoundary(
        JobRequestSchema,
        { source: { kind: 'folder', path: 'photos' }, options: { flightHeightM } },
        'job request',
      ),
    ).toThrow(/invalid job request: options.flightHeightM: /);
  });

  test('exports a JSON Schema for other tools', () => {
    const schema = toJsonSchema('JobRequest');
    expect(schema.type).toBe('object');
    expect(schema.required).toEqual(['source']);
    expect(Object.keys(schema.properties as object)).toEqual([
      'source',
      'preset',
      'options',
      'priority',
      'notify',
      'label',
    ]);
    const options = (schema.properties as Record<string, { properties: Record<string, object> }>).options!;
    expect(options.properties.flightHeightM).toMatchObject({
      type: 'number',
      exclusiveMinimum: 0,
      maximum: 10_000,
      description: 'flight height above the ground, metres, for photos without relative altitude',
    });
  });
});
