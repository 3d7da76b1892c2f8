import { AerialError } from '@aerial/contracts';

/** What a photo set may contain: images and zip archives (Ingest checks the bytes themselves). */
export const ACCEPTED_TYPES: ReadonlySet<string> = new Set([
  'image/jpeg',
  'image/tiff',
  'application/zip',
  'application/x-zip-compressed',
]);
const ARCHIVE_TYPES: ReadonlySet<string> = new Set(['application/zip', 'application/x-zip-compressed']);
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._ -]{0,199}$/;

/** Whether a file of this type is a zip archive (its own size limit; its directory is checked). */
export function isArchiveType(type: string): boolean {
  return ARCHIVE_TYPES.has(type);
}

/**
 * The reason a file may not join a dataset, by its name and type; the same rules for every way in
 * (multipart, tus). `asSent` is the name as the client sent it, for the message. Undefined when it may.
 */
export function fileRefusal(name: string, type: string, asSent = name): AerialError | undefined {
  if (!SAFE_NAME.test(name) || name.includes('..'))
    return new AerialError(
      'Aerial.InvalidInput',
      `file name ${JSON.stringify(asSent)} is not allowed`,
      'use letters, digits, dots, dashes and underscores',
    );
  if (!ACCEPTED_TYPES.has(type))
    return new AerialError(
      'Aerial.InvalidInput',
      `${name} is ${type || 'of no type'}, not a photo or a zip archive`,
      'send JPEG or TIFF photos, or a .zip of them',
    );
  return undefined;
}

/** The refusal of a file over its limit (HTTP 413). */
export function tooLarge(name: string, limitBytes: number): AerialError & { statusCode: number } {
  return Object.assign(
    new AerialError(
      'Aerial.InvalidInput',
      `${name} is larger than ${Math.round(limitBytes / 1024 / 1024)} MiB`,
      'split the set or resize the photos',
    ),
    { statusCode: 413 },
  );
}
