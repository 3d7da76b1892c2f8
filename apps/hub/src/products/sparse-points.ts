import { AerialError } from '@aerial/contracts';

/** Bytes of each PLY scalar type, and how to read it from a DataView (little-endian). */
const PLY_TYPES: Record<string, { bytes: number; read: (view: DataView, at: number) => number }> = {
  char: { bytes: 1, read: (v, at) => v.getInt8(at) },
  int8: { bytes: 1, read: (v, at) => v.getInt8(at) },
  uchar: { bytes: 1, read: (v, at) => v.getUint8(at) },
  uint8: { bytes: 1, read: (v, at) => v.getUint8(at) },
  short: { bytes: 2, read: (v, at) => v.getInt16(at, true) },
  int16: { bytes: 2, read: (v, at) => v.getInt16(at, true) },
  ushort: { bytes: 2, read: (v, at) => v.getUint16(at, true) },
  uint16: { bytes: 2, read: (v, at) => v.getUint16(at, true) },
  int: { bytes: 4, read: (v, at) => v.getInt32(at, true) },
  int32: { bytes: 4, read: (v, at) => v.getInt32(at, true) },
  uint: { bytes: 4, read: (v, at) => v.getUint32(at, true) },
  uint32: { bytes: 4, read: (v, at) => v.getUint32(at, true) },
  float: { bytes: 4, read: (v, at) => v.getFloat32(at, true) },
  float32: { bytes: 4, read: (v, at) => v.getFloat32(at, true) },
  double: { bytes: 8, read: (v, at) => v.getFloat64(at, true) },
  float64: { bytes: 8, read: (v, at) => v.getFloat64(at, true) },
};

const invalid = (reason: string) =>
  new AerialError('Aerial.InvalidInput', `the sparse model is not a readable PLY: ${reason}`, 'rerun SfM');

/**
 * The SfM stage's sparse points (binary little-endian PLY, `vertex` first) repacked for a browser:
 * `count` float32 positions, then `count` RGB bytes (SCENE_POINTS_LAYOUT in the contracts), so
 * the page reads them with two typed-array views instead of parsing a PLY. Points without
 * colour properties come out grey.
 */
export function packSparsePoints(ply: Buffer): { count: number; body: Buffer } {
  const end = ply.indexOf('end_header\n');
  if (end < 0 || !ply.subarray(0, 4).equals(Buffer.from('ply\n'))) throw invalid('no PLY header');
  const header = ply.subarray(0, end).toString('latin1').split('\n');
  if (!header.includes('format binary_little_endian 1.0')) throw invalid('not binary little-endian');
  let count = -1;
  const properties: { name: string; type: string; offset: number }[] = [];
  let stride = 0;
  for (const line of header) {
    const words = line.trim().split(/\s+/);
    if (words[0] === 'element') {
      // Only the first element (the vertices) is read: its records start right after the header.
      if (count >= 0) break;
      if (words[1] !== 'vertex') throw invalid(`its first element is ${words[1]}, not vertex`);
      count = Number(words[2]);
    } else if (words[0] === 'property' && count >= 0) {
      const type = PLY_TYPES[words[1]!];
      if (!type) throw invalid(`property type ${words[1]} (lists are not vertex properties here)`);
      properties.push({ name: words[2]!, type: words[1]!, offset: stride });
      stride += type.bytes;
    }
  }
  const at = (name: string) => properties.find((p) => p.name === name);
  const [x, y, z] = [at('x'), at('y'), at('z')];
  if (!(count >= 0) || !x || !y || !z) throw invalid('no vertex positions');
  const start = end + 'end_header\n'.length;
  if (ply.length < start + count * stride) throw invalid(`${count} vertices announced, fewer stored`);
  const view = new DataView(ply.buffer, ply.byteOffset + start, count * stride);
  const body = Buffer.alloc(count * 15);
  const positions = new Float32Array(body.buffer, body.byteOffset, count * 3);
  const colours = body.subarray(count * 12);
  const rgb = [at('red'), at('green'), at('blue')];
  for (let i = 0; i < count; i++) {
    const base = i * stride;
    positions[i * 3] = PLY_TYPES[x.type]!.read(view, base + x.offset);
    positions[i * 3 + 1] = PLY_TYPES[y.type]!.read(view, base + y.offset);
    positions[i * 3 + 2] = PLY_TYPES[z.type]!.read(view, base + z.offset);
    for (let c = 0; c < 3; c++) {
      const p = rgb[c];
      colours[i * 3 + c] = p ? PLY_TYPES[p.type]!.read(view, base + p.offset) : 160;
    }
  }
  return { count, body };
}
