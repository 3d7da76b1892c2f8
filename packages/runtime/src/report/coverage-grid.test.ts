import { coverageGrid, inside } from './coverage-grid';

/** A square of `size` degrees from (lon, lat), closed. */
const square = (lon: number, lat: number, size: number): [number, number][] => [
  [lon, lat],
  [lon + size, lat],
  [lon + size, lat + size],
  [lon, lat + size],
  [lon, lat],
];

describe('coverage grid', () => {
  test('two squares overlapping by half: counts per cell and the areas covered once and twice', () => {
    // At the equator a degree is as long east as north: the plane is square.
    const grid = coverageGrid([square(0, 0, 0.001), square(0.0005, 0, 0.001)], 30)!;
    expect([grid.columns, grid.rows]).toEqual([30, 20]);
    expect(grid.cellM).toBeCloseTo((0.0015 * 111_320) / 30, 3);
    const row = grid.counts.slice(0, 30);
    expect(row).toEqual([...Array(10).fill(1), ...Array(10).fill(2), ...Array(10).fill(1)]);
    const square1M2 = (0.001 * 111_320) ** 2;
    expect(grid.coveredM2.one).toBeCloseTo(1.5 * square1M2, -1);
    expect(grid.coveredM2.two).toBeCloseTo(0.5 * square1M2, -1);
    expect(grid.coveredM2.three).toBe(0);
    expect(grid.bbox[0]).toBe(0);
    expect(grid.bbox[2]).toBeCloseTo(0.0015, 8);
    expect(grid.bbox[3]).toBeCloseTo(0.001, 8);
  });

  test('no footprints, or footprints of no extent, give no grid', () => {
    expect(coverageGrid([])).toBeNull();
    expect(
      coverageGrid([
        [
          [1, 1],
          [1, 1],
          [1, 1],
        ],
      ]),
    ).toBeNull();
  });

  test('point in polygon, closed ring or not', () => {
    const ring = square(0, 0, 1);
    expect(inside(ring, 0.5, 0.5)).toBe(true);
    expect(inside(ring.slice(0, 4), 0.5, 0.5)).toBe(true);
    expect(inside(ring, 1.5, 0.5)).toBe(false);
  });
});
