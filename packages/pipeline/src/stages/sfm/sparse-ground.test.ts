import { heightsAboveSparseGround } from './sparse-ground';

describe('heights above the sparse ground', () => {
  // A ground sloping up 10 m over 200 m to the east, sampled every 5 m.
  const points: [number, number, number][] = [];
  for (let e = 0; e <= 200; e += 5) for (let n = 0; n <= 100; n += 5) points.push([e, n, 300 + e / 20]);

  test('GIVEN cameras 45 m above a slope THEN each height is measured from the ground below it', () => {
    const heights = heightsAboveSparseGround(
      [
        [20, 50, 345 + 1],
        [180, 50, 345 + 9],
      ],
      points,
    );
    expect(heights[0]).toBeCloseTo(45, 0);
    expect(heights[1]).toBeCloseTo(45, 0);
  });

  test("GIVEN no points below a camera THEN the whole model's ground; none at all THEN undefined", () => {
    const [far] = heightsAboveSparseGround([[1000, 1000, 360]], points);
    expect(far).toBeCloseTo(55, 0);
    expect(heightsAboveSparseGround([[0, 0, 10]], [])).toEqual([undefined]);
  });
});
