/**
 * Why a zip entry's name cannot be unpacked safely, or undefined when it can: an absolute path
 * (`/etc/passwd`, `C:…`, `\\server\share`) or a `..` segment would land outside the archive's
 * folder (zip slip). Backslashes count as separators: Windows tools write them.
 */
export function entryPathProblem(name: string): string | undefined {
  const normalized = name.replace(/\\/g, '/');
  if (normalized.startsWith('/') || /^[a-zA-Z]:/.test(normalized)) return 'has an absolute path';
  if (normalized.split('/').includes('..')) return 'climbs out of the archive with ".."';
  if (normalized.includes('\0')) return 'has a NUL byte in its name';
  return undefined;
}
