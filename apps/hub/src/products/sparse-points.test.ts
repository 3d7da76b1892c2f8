import { packSparsePoints } from './sparse-points';

const ply = (header: string, body: Buffer) =>
  Buffer.concat([Buffer.from(`ply\nformat binary_little_endian 1.0\n${header}end_header\n`), body]);

describe('packSparsePoints', () => {
  test('reads double positions and leaves colourless points grey', () => {
    const body = Buffer.alloc(2 * 24);
    [1.25, -2, 3, 4, 5.5, -6].forEach((v, i) => body.writeDoubleLE(v, i * 8));
    const { count, body: packed } = packSparsePoints(
      ply('element vertex 2\nproperty double x\nproperty double y\nproperty double z\n', body),
    );
    expect(count).toBe(2);
    expect([...new Float32Array(packed.buffer.slice(packed.byteOffset, packed.byteOffset + 24))]).toEqual([
      1.25, -2, 3, 4, 5.5, -6,
    ]);
    expect([...packed.subarray(24)]).toEqual([160, 160, 160, 160, 160, 160]);
  });

  test('skips properties it does not need (normals) by their size', () => {
    const body = Buffer.alloc(4 * 6 + 3);
    [1, 2, 3, 0, 0, 1].forEach((v, i) => body.writeFloatLE(v, i * 4));
    body.writeUInt8(9, 24);
    body.writeUInt8(8, 25);
    body.writeUInt8(7, 26);
    const header =
      'element vertex 1\nproperty float x\nproperty float y\nproperty float z\n' +
      'property float nx\nproperty float ny\nproperty float nz\n' +
      'property uchar red\nproperty uchar green\nproperty uchar blue\n';
    const { body: packed } = packSparsePoints(ply(header, body));
    expect([...packed.subarray(12)]).toEqual([9, 8, 7]);
  });

  test('refuses what is not a binary little-endian PLY of vertices, or is cut short', () => {
    expect(() => packSparsePoints(Buffer.from('not a ply'))).toThrow(/no PLY header/);
    expect(() => packSparsePoints(Buffer.from('ply\nformat ascii 1.0\nelement vertex 0\nend_header\n'))).toThrow(
      /not binary little-endian/,
    );
    expect(() =>
      packSparsePoints(ply('element face 1\nproperty list uchar int vertex_indices\n', Buffer.alloc(0))),
    ).toThrow(/first element is face/);
    expect(() =>
      packSparsePoints(
        ply('element vertex 3\nproperty float x\nproperty float y\nproperty float z\n', Buffer.alloc(12)),
      ),
    ).toThrow(/3 vertices announced, fewer stored/);
  });
});
