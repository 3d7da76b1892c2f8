import { type EnvironmentName } from './environment';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

/**
 * The image tag each environment runs, for every image (the stage images and the Hub), on both
 * engines: the Batch job definitions (infra) and the manifests (kubernetes) read this one file.
 * The images workflow rewrites it (dev and staging on each release, prod when a person promotes)
 * only after the images exist, so no deployment points at a tag that was never pushed. Read at
 * synth time from the repository (it is not shipped in `lib`).
 */
export const IMAGE_TAGS_FILE = resolve(__dirname, '..', 'src', 'image-tags.json');

/** An OCI tag (letters, digits, `_`, `.`, `-`; at most 128), never the moving `latest`. */
export const ImageTagSchema = z
  .string()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, 'must be an OCI image tag such as 1.4.0')
  .refine((tag) => tag !== 'latest', 'must name a release, never "latest"');

export const ImageTagsSchema = z.strictObject({
  dev: ImageTagSchema,
  staging: ImageTagSchema,
  prod: ImageTagSchema,
} satisfies Record<EnvironmentName, typeof ImageTagSchema>);
export type ImageTags = z.infer<typeof ImageTagsSchema>;

export function parseImageTags(json: string, source = IMAGE_TAGS_FILE): ImageTags {
  const parsed = ImageTagsSchema.safeParse(JSON.parse(json));
  if (!parsed.success)
    throw new Error(`${source}: ${z.prettifyError(parsed.error)} (one tag per environment: dev, staging, prod)`);
  return parsed.data;
}

export function imageTags(file = IMAGE_TAGS_FILE): ImageTags {
  return parseImageTags(readFileSync(file, 'utf8'), file);
}
