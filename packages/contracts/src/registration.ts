import { z } from 'zod';

/**
 * A 2D similarity from an image's pixels (offsets from its centre, y down) to a plane frame:
 * frame = [a −b; b a]·(u, v) + (tx, ty).
 */
export const SimilaritySchema = z.object({ a: z.number(), b: z.number(), tx: z.number(), ty: z.number() });
export type SimilarityRecord = z.infer<typeof SimilaritySchema>;

/** Two registered images' matched inlier points, full-resolution pixels of each, [x, y, …]. */
export const PairMatchRecordSchema = z.object({
  i: z.number().int().min(0),
  j: z.number().int().min(0),
  matches: z.number().int().min(0),
  rotationRad: z.number(),
  pointsI: z.array(z.number()),
  pointsJ: z.array(z.number()),
});
export type PairMatchRecord = z.infer<typeof PairMatchRecordSchema>;

/**
 * What the Footprints stage measured by registering the photos, for the stages that render them
 * (`registration.json`). The frame is a local east/north plane around `origin` with y pointing
 * south, in units of `unitM` metres (close to the photos' ground resolution), so that placements
 * are in pixel-like units.
 */
export const ImageRegistrationSchema = z.object({
  origin: z.object({ latitude: z.number().min(-90).max(90), longitude: z.number().min(-180).max(180) }),
  unitM: z.number().positive(),
  images: z.array(
    z.object({
      image: z.string().min(1),
      width: z.number().int().positive(),
      height: z.number().int().positive(),
      placement: SimilaritySchema,
      registered: z.boolean(),
      gain: z.number().positive(),
      /** Recorded yaw minus the rotation the pixels gave, degrees (when both are known). */
      yawDisagreementDeg: z.number().optional(),
    }),
  ),
  pairs: z.array(PairMatchRecordSchema),
  candidatePairs: z.number().int().min(0),
  rmsResidualPx: z.number().min(0),
});
export type ImageRegistration = z.infer<typeof ImageRegistrationSchema>;

/** Each photo as the SfM stage registered it (its `registration.json`): COLMAP's mean reprojection error. */
export const SfmRegistrationSchema = z.array(
  z.object({
    image: z.string().min(1),
    registered: z.boolean(),
    meanReprojectionErrorPx: z.number().min(0).optional(),
  }),
);
export type SfmRegistration = z.infer<typeof SfmRegistrationSchema>;
