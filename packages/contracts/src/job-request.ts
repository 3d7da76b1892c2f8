import { z } from 'zod';

export const DatasetSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('folder'), path: z.string().min(1) }),
  z.object({ kind: z.literal('zip'), path: z.string().min(1) }),
  z.object({
    kind: z.literal('prefix'),
    prefix: z
      .string()
      .min(1)
      .refine((p) => !p.split('/').includes('..'), 'must not contain ".." segments')
      // Keys are relative to the store: "/etc" named no upload and ran a job on an empty dataset.
      .refine((p) => !p.startsWith('/') && !p.includes('\\') && !p.includes('\0'), {
        message: 'must be a key prefix in the uploads store such as uploads/ds-…/ (no leading "/", "\\" or NUL)',
      }),
  }),
]);
export type DatasetSource = z.infer<typeof DatasetSourceSchema>;

/**
 * What a job produces. `survey`: validate the photos and map their footprints and overlap (a QA
 * report before spending on processing); `map`: plus orthomosaic, tiles, metadata and publishing;
 * `full`: plus SfM, splats and their compressed form; `3d`: the survey and the 3D branch
 * without the map products.
 */
export const PRESETS = ['survey', 'map', '3d', 'full'] as const;
export const PresetSchema = z.enum(PRESETS);
export type Preset = z.infer<typeof PresetSchema>;
/**
 * What a job makes when its request names no preset, whoever starts it (CLI, Hub, API, an
 * upload to the bucket): the map products. `survey` checks the photos and publishes nothing.
 */
export const DEFAULT_PRESET: Preset = 'map';

export const NotifyTargetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('email'), address: z.email() }),
  z.object({ kind: z.literal('webhook'), url: z.url({ protocol: /^https?$/ }) }),
  z.object({ kind: z.literal('mqtt') }),
]);
export type NotifyTarget = z.infer<typeof NotifyTargetSchema>;

/** What a user asks for: which photos, which products, how urgently, and who to tell. */
export const JobRequestSchema = z.object({
  source: DatasetSourceSchema,
  preset: PresetSchema.default(DEFAULT_PRESET),
  options: z
    .object({
      maxShDegree: z
        .number()
        .int()
        .min(0)
        .max(3)
        .optional()
        .describe('spherical-harmonic bands kept in the compressed splats (default 0)'),
      maxImageSize: z.number().int().min(256).max(16_384).optional().describe('longest side used for SfM, px'),
      minAcceptedImages: z.number().int().min(2).optional(),
      mosaicProjection: z
        .enum(['utm', 'web-mercator'])
        .optional()
        .describe(
          "the orthomosaic's grid: 'utm' (default) at the photos' own resolution in the job's UTM zone; 'web-mercator' on the XYZ tile grid (EPSG:3857) of the zoom nearest it, which web tiles need not resample",
        ),
      flightHeightM: z
        .number()
        .positive()
        .max(10_000)
        .optional()
        .describe('flight height above the ground, metres, for photos without relative altitude'),
    })
    .default({}),
  priority: z.enum(['high', 'normal', 'low']).default('normal'),
  notify: z.array(NotifyTargetSchema).max(10).default([]),
  label: z.string().max(200).optional(),
});
export type JobRequest = z.infer<typeof JobRequestSchema>;

/**
 * The `_READY` marker that ends an upload to the uploads bucket: empty (the defaults), or a JSON
 * job request without `source` (the marker's folder is the source), e.g.
 * `{"preset":"full","notify":[{"kind":"email","address":"me@example.org"}]}`.
 */
export const UploadMarkerSchema = JobRequestSchema.omit({ source: true }).strict();
export type UploadMarker = z.input<typeof UploadMarkerSchema>;
/** A marker is a small JSON document; anything larger is refused unread. */
export const UPLOAD_MARKER_MAX_BYTES = 16 * 1024;
export type JobRequestInput = z.input<typeof JobRequestSchema>;
