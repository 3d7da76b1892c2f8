import { zipOf } from './archives';
import { photo } from './photos';

/** Where a CLI case runs: a folder of good photos, and a scratch folder to write its input into. */
export interface CliContext {
  readonly photos: string;
  readonly good: readonly Buffer[];
  /** Writes `bytes` to a scratch file named `name` and returns its path. */
  file(name: string, bytes: Buffer): string;
}

/**
 * One `aerial` command line that must be refused before any job starts: exit code 2 (bad input)
 * and a one-line message on stderr that says what was wrong; no job is created.
 */
export interface CliCase {
  readonly target: 'cli';
  readonly id: string;
  args(ctx: CliContext): string[] | Promise<string[]>;
  readonly env?: Record<string, string>;
  readonly expect: { readonly code: 2; readonly stderr: RegExp };
}

const cli = (id: string, args: CliCase['args'], stderr: RegExp, env?: Record<string, string>): CliCase => ({
  target: 'cli',
  id,
  args,
  expect: { code: 2, stderr },
  ...(env ? { env } : {}),
});

export const cliCases: readonly CliCase[] = [
  cli('unknown-command', () => ['frobnicate'], /aerial: Aerial\.InvalidInput: unknown command "frobnicate"/),
  cli('unknown-option', (c) => ['process', c.photos, '--colour', 'red'], /Unknown option '--colour'/),
  cli('option-without-value', (c) => ['process', c.photos, '--preset'], /Option '--preset <value>' argument missing/),
  cli('missing-folder', () => ['process', '/nonexistent/photos'], /\/nonexistent\/photos does not exist/),
  cli('single-photo', (c) => ['process', c.file('one.jpg', c.good[0]!)], /is a single photo; give a folder or a \.zip/),
  cli('single-photo-without-extension', (c) => ['process', c.file('one-photo', c.good[0]!)], /is a single photo/),
  cli('unknown-preset', (c) => ['process', c.photos, '--preset', 'everything'], /invalid job request: preset/),
  cli('unknown-priority', (c) => ['process', c.photos, '--priority', 'urgent'], /invalid job request: priority/),
  cli(
    'unknown-projection',
    (c) => ['process', c.photos, '--projection', 'mercator'],
    /invalid job request: options\.mosaicProjection/,
  ),
  cli(
    'flight-height-not-a-number',
    (c) => ['process', c.photos, '--flight-height', '80m'],
    /--flight-height "80m" is not a number of metres/,
  ),
  cli(
    'flight-height-hex',
    (c) => ['process', c.photos, '--flight-height', '0x50'],
    /--flight-height "0x50" is not a number of metres/,
  ),
  cli(
    'flight-height-negative',
    (c) => ['process', c.photos, '--flight-height=-5'],
    /invalid job request: options\.flightHeightM/,
  ),
  cli(
    'flight-height-dash-value',
    (c) => ['process', c.photos, '--flight-height', '-5'],
    /Option '--flight-height' argument is ambiguous/,
  ),
  cli(
    'webhook-not-http',
    (c) => ['process', c.photos, '--webhook', 'file:///etc/passwd'],
    /invalid job request: notify\.0\.url/,
  ),
  cli('label-too-long', (c) => ['process', c.photos, '--label', 'x'.repeat(201)], /invalid job request: label/),
  cli('status-without-job', () => ['status'], /which job\?/),
  cli('status-unknown-job', () => ['status', 'job-20990101-00000000'], /no job job-20990101-00000000/),
  cli('status-path-looking-job', () => ['status', '../../etc/passwd'], /"\.\.\/\.\.\/etc\/passwd" is not a job id/),
  cli('cancel-sql-looking-job', () => ['cancel', "x';DROP TABLE jobs;--"], /is not a job id/),
  cli('cancel-unknown-job', () => ['cancel', 'job-20990101-00000000'], /no job job-20990101-00000000/),
  cli('engine-port-out-of-range', () => ['engine', '--port', '99999'], /--port 99999 is not a port number/),
  cli('bad-environment-name', () => ['jobs'], /AERIAL_ENV: Invalid option/, { AERIAL_ENV: 'moon' }),
  cli('bad-object-store', () => ['jobs'], /OBJECT_STORE: must be file:<folder> or s3:\/\/<bucket>/, {
    OBJECT_STORE: 'ftp://example.org/x',
  }),
  cli('bad-mqtt-url', (c) => ['process', c.photos], /MQTT_URL: must be a mqtt: or mqtts: or ws: or wss: URL/, {
    MQTT_URL: 'http://localhost:1883',
  }),
];

/** A command that does start a job, on input Ingest must refuse: exit 1, the job FAILED, the reason. */
export interface CliJobCase {
  readonly target: 'cli-job';
  readonly id: string;
  input(ctx: CliContext): Promise<string>;
  readonly expect: { readonly stdout: RegExp };
}

export const cliJobCases: readonly CliJobCase[] = [
  {
    target: 'cli-job',
    id: 'text-named-zip',
    input: async (c) => c.file('flight.zip', photo.text()),
    expect: { stdout: /FAILED[\s\S]*not a readable zip archive/ },
  },
  {
    target: 'cli-job',
    id: 'zip-slip-archive',
    input: async (c) =>
      c.file(
        'slip.zip',
        await zipOf(
          [...c.good.map((data, i) => ({ name: `G${i}.jpg`, data })), { name: 'xx/evil.jpg', data: c.good[0]! }],
          [['xx/evil.jpg', '../evil.jpg']],
        ),
      ),
    expect: { stdout: /FAILED[\s\S]*entry "\.\.\/evil\.jpg" climbs out of the archive/ },
  },
];
