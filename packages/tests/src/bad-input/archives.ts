const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;

export { type ZipEntrySpec, zipOf } from '@aerial/pipeline/testing';

/** Offsets of every header with the given signature. */
function headers(zip: Buffer, signature: number): number[] {
  const found: number[] = [];
  const needle = Buffer.alloc(4);
  needle.writeUInt32LE(signature);
  for (let at = zip.indexOf(needle); at >= 0; at = zip.indexOf(needle, at + 1)) found.push(at);
  return found;
}

/** Marks every entry as encrypted (general-purpose flag bit 0), as a password-protected zip does. */
export function markEncrypted(zip: Buffer): Buffer {
  const copy = Buffer.from(zip);
  for (const at of headers(copy, LOCAL_HEADER)) copy.writeUInt16LE(copy.readUInt16LE(at + 6) | 1, at + 6);
  for (const at of headers(copy, CENTRAL_HEADER)) copy.writeUInt16LE(copy.readUInt16LE(at + 8) | 1, at + 8);
  return copy;
}

/** The archive cut before its end-of-central-directory record, as an interrupted upload leaves it. */
export function withoutEnd(zip: Buffer): Buffer {
  const end = headers(zip, END_OF_CENTRAL_DIRECTORY).pop();
  if (end === undefined) throw new Error('no end of central directory');
  return zip.subarray(0, end - 10);
}

/** The central directory's first header signature overwritten: the directory cannot be walked. */
export function corruptCentralDirectory(zip: Buffer): Buffer {
  const copy = Buffer.from(zip);
  const first = headers(copy, CENTRAL_HEADER)[0];
  if (first === undefined) throw new Error('no central directory');
  copy.writeUInt32LE(0xdeadbeef, first);
  return copy;
}

/** The end record points the central directory past the end of the file. */
export function centralDirectoryOutOfBounds(zip: Buffer): Buffer {
  const copy = Buffer.from(zip);
  const end = headers(copy, END_OF_CENTRAL_DIRECTORY).pop()!;
  copy.writeUInt32LE(copy.length + 1_000_000, end + 16);
  return copy;
}

/**
 * Entries declare `bytes` uncompressed bytes (in both headers), whatever they really hold: every
 * entry, or only the deflated ones (compression method 8).
 */
export function declareSize(zip: Buffer, bytes: number, only: 'all' | 'deflated' = 'all'): Buffer {
  const copy = Buffer.from(zip);
  const pick = (method: number) => only === 'all' || method === 8;
  for (const at of headers(copy, LOCAL_HEADER)) if (pick(copy.readUInt16LE(at + 8))) copy.writeUInt32LE(bytes, at + 22);
  for (const at of headers(copy, CENTRAL_HEADER))
    if (pick(copy.readUInt16LE(at + 10))) copy.writeUInt32LE(bytes, at + 24);
  return copy;
}

/** The central directory claims `count` entries while holding fewer. */
export function declareEntryCount(zip: Buffer, count: number): Buffer {
  const copy = Buffer.from(zip);
  const end = headers(copy, END_OF_CENTRAL_DIRECTORY).pop()!;
  copy.writeUInt16LE(count, end + 8);
  copy.writeUInt16LE(count, end + 10);
  return copy;
}
