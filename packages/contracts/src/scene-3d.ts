import { z } from 'zod';

const Vec3 = z.tuple([z.number(), z.number(), z.number()]);

/**
 * `cameras.json`, the SfM stage's camera poses: each photo's centre in the ENU frame of `origin`
 * (metres east, north, up) and its COLMAP rotation (world → camera, `[w, x, y, z]`). The splats and
 * the sparse points are in the same frame.
 */
export const SfmCamerasSchema = z.object({
  frame: z.literal('ENU'),
  origin: z.object({ latitude: z.number(), longitude: z.number(), altitude: z.number().optional() }),
  images: z.array(
    z.object({
      image: z.string(),
      registered: z.boolean(),
      /** Above the ground the SfM model's sparse points show. */
      heightAboveGroundM: z.number().positive().optional(),
      centerEnu: z.array(z.number()).length(3).optional(),
      qvec: z.array(z.number()).length(4).optional(),
    }),
  ),
});
export type SfmCameras = z.infer<typeof SfmCamerasSchema>;

/** How the Hub names a job's splats: trained on a GPU node, or only the SfM initialisation. */
export const SPLAT_KINDS = ['trained', 'untrained-initialisation'] as const;

/**
 * Layout of the Hub's sparse-points body (`/api/jobs/<jobId>/scene/points.bin`), chosen so that a
 * browser reads it with two typed-array views and no parsing: `count` little-endian float32
 * positions (x, y, z in the scene's ENU frame), then `count` RGB colours (uint8 each).
 */
export const SCENE_POINTS_LAYOUT = 'float32 xyz × count, then uint8 rgb × count' as const;

/** GET /api/jobs/<jobId>/scene: what the Hub's 3D viewer loads for a job with 3D products. */
export const Scene3dSchema = z.object({
  frame: z.literal('ENU').describe('the scene frame: metres east, north and up of `origin`'),
  origin: z
    .object({ latitude: z.number(), longitude: z.number(), altitude: z.number().optional() })
    .nullable()
    .describe("the ENU frame's origin (WGS84), null when SfM left no cameras"),
  splats: z
    .object({
      href: z.string().describe('the compressed splats (SOG, a zip of WebP images and meta.json)'),
      bytes: z.number().int().min(0),
      count: z.number().int().min(0).nullable().describe('splats in the model, when the Splat stage said'),
      kind: z
        .enum(SPLAT_KINDS)
        .describe(
          "`trained`: refined by a splat trainer; `untrained-initialisation`: the standard 3DGS start from the SfM points, not a trained result (the Splat stage's summary says which)",
        ),
      note: z.string().describe("the Splat stage's own words on what the model is"),
    })
    .nullable()
    .describe('null when the job has no SOG'),
  points: z
    .object({
      href: z.string().describe(`the sparse points, binary: ${SCENE_POINTS_LAYOUT}`),
      count: z.number().int().min(0),
    })
    .nullable()
    .describe('null when the job has no sparse model'),
  cameras: z
    .array(
      z.object({
        image: z.string(),
        position: Vec3.describe('the camera centre, ENU metres'),
        forward: Vec3.describe('the unit viewing direction (the camera’s optical axis), ENU'),
      }),
    )
    .describe('the photos SfM registered'),
});
export type Scene3d = z.infer<typeof Scene3dSchema>;
