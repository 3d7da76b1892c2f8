import { type CoverageGrid } from '@aerial/contracts';

/** Cells along the longer side of the grid: fine enough to see gaps, small enough for a page and a PDF. */
export const GRID_CELLS = 64;

type Ring = readonly (readonly [number, number])[];

/**
 * How many footprints cover each cell of a square grid over their extent (the overlap map), counted
 * at each cell's centre in a local east/north plane (the extent of a survey is small enough that
 * an equirectangular plane is exact to well under a cell).
 */
export function coverageGrid(rings: readonly Ring[], cells = GRID_CELLS): CoverageGrid | null {
  const points = rings.flat();
  if (points.length === 0) return null;
  const west = Math.min(...points.map((p) => p[0]));
  const east = Math.max(...points.map((p) => p[0]));
  const south = Math.min(...points.map((p) => p[1]));
  const north = Math.max(...points.map((p) => p[1]));
  const mLat = 111_320;
  const mLon = 111_320 * Math.cos((((south + north) / 2) * Math.PI) / 180);
  const widthM = (east - west) * mLon;
  const heightM = (north - south) * mLat;
  if (!(widthM > 0 && heightM > 0)) return null;
  const cellM = Math.max(widthM, heightM) / cells;
  const columns = Math.max(1, Math.ceil(widthM / cellM - 1e-9));
  const rows = Math.max(1, Math.ceil(heightM / cellM - 1e-9));
  // Rings in the plane, metres east and south of the north-west corner.
  const planar = rings.map((ring) => ring.map(([lon, lat]) => [(lon - west) * mLon, (north - lat) * mLat] as const));
  const counts: number[] = [];
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < columns; c++) {
      const x = (c + 0.5) * cellM;
      const y = (r + 0.5) * cellM;
      counts.push(planar.filter((ring) => inside(ring, x, y)).length);
    }
  const area = (k: number) => round(counts.filter((n) => n >= k).length * cellM * cellM, 1);
  return {
    bbox: [
      round(west, 8),
      round(north - (rows * cellM) / mLat, 8),
      round(west + (columns * cellM) / mLon, 8),
      round(north, 8),
    ],
    columns,
    rows,
    cellM: round(cellM, 4),
    counts,
    coveredM2: { one: area(1), two: area(2), three: area(3) },
  };
}

/** Ray casting: whether (x, y) is inside the ring (closed or not). */
export function inside(ring: readonly (readonly [number, number])[], x: number, y: number): boolean {
  let within = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) within = !within;
  }
  return within;
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
