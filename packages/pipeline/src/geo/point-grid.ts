/**
 * A uniform grid over 3D points for exact k-nearest-neighbour queries, near-linear in practice for
 * the tens of thousands of points of a sparse model. Written by hand: the npm k-d trees are either
 * unmaintained or 2D.
 */
export class PointGrid {
  private readonly cells = new Map<string, number[]>();
  private readonly min: [number, number, number];
  readonly cell: number;
  readonly count: number;

  constructor(private readonly positions: Float32Array) {
    this.count = positions.length / 3;
    const min: [number, number, number] = [Infinity, Infinity, Infinity];
    const max = [-Infinity, -Infinity, -Infinity];
    for (let i = 0; i < this.count; i++) {
      for (let a = 0; a < 3; a++) {
        min[a] = Math.min(min[a]!, positions[i * 3 + a]!);
        max[a] = Math.max(max[a]!, positions[i * 3 + a]!);
      }
    }
    this.min = this.count ? min : [0, 0, 0];
    const volume = Math.max((max[0]! - min[0]) * (max[1]! - min[1]) * (max[2]! - min[2]), 1e-9);
    // About two points per cell.
    this.cell = Math.max(Math.cbrt((volume / Math.max(this.count, 1)) * 2), 1e-6);
    for (let i = 0; i < this.count; i++) {
      const key = this.key(...this.cellOf(positions[i * 3]!, positions[i * 3 + 1]!, positions[i * 3 + 2]!));
      const bucket = this.cells.get(key);
      if (bucket) bucket.push(i);
      else this.cells.set(key, [i]);
    }
  }

  /** Distances to the k nearest points of the grid from (x, y, z), nearest first; `exclude` skips one index. */
  kNearest(x: number, y: number, z: number, k: number, exclude = -1): number[] {
    const wanted = Math.min(k, this.count - (exclude >= 0 ? 1 : 0));
    if (wanted <= 0) return [];
    const [cx, cy, cz] = this.cellOf(x, y, z);
    const found: number[] = [];
    for (let r = 0; ; r++) {
      // Visit only the shell at Chebyshev distance r.
      for (let dx = -r; dx <= r; dx++)
        for (let dy = -r; dy <= r; dy++)
          for (let dz = -r; dz <= r; dz++) {
            if (Math.max(Math.abs(dx), Math.abs(dy), Math.abs(dz)) !== r) continue;
            for (const j of this.cells.get(this.key(cx + dx, cy + dy, cz + dz)) ?? []) {
              if (j === exclude) continue;
              found.push(
                Math.hypot(this.positions[j * 3]! - x, this.positions[j * 3 + 1]! - y, this.positions[j * 3 + 2]! - z),
              );
            }
          }
      if (found.length >= wanted) {
        found.sort((a, b) => a - b);
        // Every point within r cells of the query is found; the k-th is exact if it is that close.
        if (found[wanted - 1]! <= r * this.cell || found.length >= this.count) return found.slice(0, wanted);
      }
    }
  }

  private cellOf(x: number, y: number, z: number): [number, number, number] {
    return [
      Math.floor((x - this.min[0]) / this.cell),
      Math.floor((y - this.min[1]) / this.cell),
      Math.floor((z - this.min[2]) / this.cell),
    ];
  }

  private key(x: number, y: number, z: number): string {
    return `${x},${y},${z}`;
  }
}
