import { type GaussianSplats } from './gaussian-splats';

const PROPERTIES = [
  'x',
  'y',
  'z',
  'nx',
  'ny',
  'nz',
  'f_dc_0',
  'f_dc_1',
  'f_dc_2',
  'opacity',
  'scale_0',
  'scale_1',
  'scale_2',
  'rot_0',
  'rot_1',
  'rot_2',
  'rot_3',
];

/** Encodes splats as the binary little-endian PLY every 3DGS trainer and viewer reads. */
export function writeSplatPly(splats: GaussianSplats, comments: string[] = []): Buffer {
  const header = [
    'ply',
    'format binary_little_endian 1.0',
    ...comments.map((c) => `comment ${c.replace(/\n/g, ' ')}`),
    `element vertex ${splats.count}`,
    ...PROPERTIES.map((p) => `property float ${p}`),
    'end_header',
    '',
  ].join('\n');
  const body = Buffer.alloc(splats.count * PROPERTIES.length * 4);
  let o = 0;
  const put = (v: number) => {
    body.writeFloatLE(v, o);
    o += 4;
  };
  for (let i = 0; i < splats.count; i++) {
    for (let a = 0; a < 3; a++) put(splats.positions[i * 3 + a]!);
    put(0);
    put(0);
    put(0);
    for (let a = 0; a < 3; a++) put(splats.colorsDc[i * 3 + a]!);
    put(splats.opacities[i]!);
    for (let a = 0; a < 3; a++) put(splats.scales[i * 3 + a]!);
    for (let a = 0; a < 4; a++) put(splats.rotations[i * 4 + a]!);
  }
  return Buffer.concat([Buffer.from(header, 'ascii'), body]);
}

/** Reads the positions of a binary little-endian PLY whose vertex properties are all floats. */
export function readPlyPositions(ply: Buffer): Float32Array {
  const end = ply.indexOf('end_header\n');
  if (end < 0) throw new Error('not a PLY file: no end_header');
  const header = ply.subarray(0, end).toString('ascii').split('\n');
  if (!header.includes('format binary_little_endian 1.0')) throw new Error('only binary little-endian PLY is read');
  const count = Number(/element vertex (\d+)/.exec(header.join('\n'))?.[1]);
  const props: { name: string; size: number }[] = [];
  let inVertex = false;
  for (const line of header) {
    if (line.startsWith('element ')) inVertex = line.startsWith('element vertex');
    const m = /^property (\w+) (\w+)$/.exec(line);
    if (m && inVertex)
      props.push({
        name: m[2]!,
        size:
          m[1] === 'double'
            ? 8
            : m[1] === 'uchar' || m[1] === 'char'
              ? 1
              : m[1] === 'short' || m[1] === 'ushort'
                ? 2
                : 4,
      });
  }
  const stride = props.reduce((s, p) => s + p.size, 0);
  const offsetOf = (name: string) => {
    let offset = 0;
    for (const p of props) {
      if (p.name === name) return offset;
      offset += p.size;
    }
    throw new Error(`PLY has no ${name} property`);
  };
  const [ox, oy, oz] = ['x', 'y', 'z'].map(offsetOf) as [number, number, number];
  const base = end + 'end_header\n'.length;
  const out = new Float32Array(count * 3);
  for (let i = 0; i < count; i++) {
    const row = base + i * stride;
    out[i * 3] = ply.readFloatLE(row + ox);
    out[i * 3 + 1] = ply.readFloatLE(row + oy);
    out[i * 3 + 2] = ply.readFloatLE(row + oz);
  }
  return out;
}
