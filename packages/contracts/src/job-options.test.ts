import { AerialError } from './errors';
import { JOB_OPTION_DEFAULTS, jobOptionsFromFields, jobRequestFor } from './job-options';
import { DEFAULT_PRESET } from './job-request';

describe('job options', () => {
  test('the defaults are the job request schema defaults', () => {
    expect(JOB_OPTION_DEFAULTS).toEqual({ preset: DEFAULT_PRESET, priority: 'normal', notify: [], options: {} });
  });

  test('blank fields are not given, so the defaults apply', () => {
    expect(
      jobOptionsFromFields({ preset: '', priority: ' ', label: '', webhook: '', email: '', flightHeight: '' }),
    ).toEqual({});
    const request = jobRequestFor({ kind: 'folder', path: '/photos' }, jobOptionsFromFields({}));
    expect(request).toEqual({ source: { kind: 'folder', path: '/photos' }, ...JOB_OPTION_DEFAULTS });
  });

  test('every field becomes its option; webhook before email', () => {
    expect(
      jobOptionsFromFields({
        preset: 'survey',
        priority: 'high',
        label: ' north field ',
        webhook: 'https://example.org/hook',
        email: 'me@example.org',
        flightHeight: '80.5',
      }),
    ).toEqual({
      preset: 'survey',
      priority: 'high',
      label: 'north field',
      notify: [
        { kind: 'webhook', url: 'https://example.org/hook' },
        { kind: 'email', address: 'me@example.org' },
      ],
      options: { flightHeightM: 80.5 },
    });
  });

  test.each([
    [{ preset: 'mesh' }, /preset/],
    [{ priority: 'urgent' }, /priority/],
    [{ email: 'nobody' }, /notify\.0\.address/],
    [{ webhook: 'ftp://example.org/' }, /notify\.0\.url/],
    [{ flightHeight: '0x50' }, /flight height "0x50" is not a number of metres/],
    [{ flightHeight: '-3' }, /options\.flightHeightM/],
  ])('%j is refused, naming the field', (fields, message) => {
    expect(() => jobOptionsFromFields(fields)).toThrow(AerialError);
    expect(() => jobOptionsFromFields(fields)).toThrow(message);
  });
});
