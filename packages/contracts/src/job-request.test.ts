import { JobRequestSchema } from './job-request';
import { toJsonSchema } from './json-schema';
import { parseAtBoundary } from './validation';

describe('job request', () => {
  test('fills defaults', () => {
    const request = JobRequestSchema.parse({ source: { kind: 'folder', path: 'photos' } });
    expect(request).toEqual({
      source: { kind: 'folder', path: 'photos' },
      preset: 'survey',
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

  test('refuses non-http webhooks', () => {
    const result = JobRequestSchema.safeParse({
      source: { kind: 'zip', path: 'a.zip' },
      notify: [{ kind: 'webhook', url: 'file:///etc/passwd' }],
    });
    expect(result.success).toBe(false);
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
  });
});
