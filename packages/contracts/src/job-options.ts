import { z } from 'zod';
import { AerialError } from './errors';
import {
  type DatasetSource,
  type JobRequest,
  JobRequestSchema,
  PRESETS,
  type Preset,
  UploadMarkerSchema,
} from './job-request';
import { parseAtBoundary } from './validation';

/**
 * Everything a job request holds but its photos: what the page's form, `aerial process`'s flags,
 * a `_READY` marker and `POST /api/jobs` (beside `source`) all give. Its defaults are the one
 * source of the defaults at every entry point.
 */
export const JobOptionsSchema = JobRequestSchema.omit({ source: true });
/** Job options as a client sends them: every field may be left out (the schema's default applies). */
export type JobRequestOptions = z.input<typeof JobOptionsSchema>;
/** Job options with every default applied. */
export type JobOptions = z.output<typeof JobOptionsSchema>;

/** What a job gets for each option nobody gave (the page shows them; the CLI's usage names them). */
export const JOB_OPTION_DEFAULTS: JobOptions = JobOptionsSchema.parse({});

export const PRIORITIES = JobRequestSchema.shape.priority.unwrap().options;

/** One line per preset, for the page's choice and the CLI's usage. */
export const PRESET_DESCRIPTIONS: { readonly [P in Preset]: string } = {
  survey: 'check the photos and map their footprints and overlap; publishes nothing',
  map: 'the map products: orthomosaic, tiles, footprints, STAC metadata, published',
  '3d': 'the survey and the 3D branch: sparse model, splats and their compressed form',
  full: 'everything: the map products and the 3D branch',
};

/** `GET /api/job-options`: the presets (with the stages each runs) and the defaults. */
export const JobOptionsInfoSchema = z.object({
  presets: z.array(z.object({ name: z.enum(PRESETS), description: z.string(), stages: z.array(z.string()) })),
  priorities: z.array(z.enum(PRIORITIES)),
  defaults: JobOptionsSchema,
});
export type JobOptionsInfo = z.infer<typeof JobOptionsInfoSchema>;

/**
 * Job options as text, the way a command line and a form hold them: a blank or missing field is
 * not given (the schema's default applies). `webhook` and `email` become notify targets, in that
 * order; `flightHeight` is metres.
 */
export interface JobOptionFields {
  readonly preset?: string | undefined;
  readonly priority?: string | undefined;
  readonly label?: string | undefined;
  readonly webhook?: string | undefined;
  readonly email?: string | undefined;
  readonly flightHeight?: string | undefined;
}

/**
 * The options that text fields ask for; throws `Aerial.InvalidInput` naming the field at fault.
 * The CLI uses this (`flightHeightName` names its flag in the message); the page applies the same rules.
 */
export function jobOptionsFromFields(
  fields: JobOptionFields,
  o: { flightHeightName?: string } = {},
): JobRequestOptions {
  const given = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());
  const notify: NonNullable<JobRequestOptions['notify']> = [];
  const webhook = given(fields.webhook);
  const email = given(fields.email);
  if (webhook) notify.push({ kind: 'webhook', url: webhook });
  if (email) notify.push({ kind: 'email', address: email });
  const height = given(fields.flightHeight);
  // Number('') is 0 and Number('0x50') is 80: only a plain decimal is a height in metres.
  if (height !== undefined && !/^[+-]?(\d+\.?\d*|\.\d+)$/.test(height))
    throw new AerialError(
      'Aerial.InvalidInput',
      `${o.flightHeightName ?? 'flight height'} ${JSON.stringify(height)} is not a number of metres`,
      `give the flight height above the ground in metres, e.g. ${o.flightHeightName ? `${o.flightHeightName} ` : ''}80`,
    );
  const options: JobRequestOptions = {
    ...(given(fields.preset) ? { preset: given(fields.preset) as Preset } : {}),
    ...(given(fields.priority) ? { priority: given(fields.priority) as JobOptions['priority'] } : {}),
    ...(given(fields.label) ? { label: given(fields.label) } : {}),
    ...(notify.length ? { notify } : {}),
    ...(height !== undefined ? { options: { flightHeightM: Number(height) } } : {}),
  };
  // Checked here so that a bad field is named before any upload or work starts.
  parseAtBoundary(JobOptionsSchema.strict(), options, 'job request');
  return options;
}

/** The job request for `source` with `options` (defaults applied; `Aerial.InvalidInput` when invalid). */
export function jobRequestFor(source: DatasetSource, options: JobRequestOptions = {}): JobRequest {
  return parseAtBoundary(JobRequestSchema, { ...options, source }, 'job request');
}

/**
 * The job an upload to the uploads bucket asks for: `marker` is its `_READY` marker's JSON (an
 * empty marker is `{}`), a job request without `source`; the label defaults to the folder's name.
 */
export function uploadJobRequest(prefix: string, marker: unknown): JobRequest {
  const options = parseAtBoundary(UploadMarkerSchema, marker, `upload marker ${prefix}${READY_MARKER_NAME}`);
  const folder = prefix.replace(/\/+$/, '').split('/').pop();
  return jobRequestFor({ kind: 'prefix', prefix }, { ...(folder ? { label: folder } : {}), ...options });
}
/** The object that ends an upload to the uploads bucket. */
export const READY_MARKER_NAME = '_READY';
