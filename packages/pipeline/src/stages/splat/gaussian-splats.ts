import { PointGrid } from '../../geo/point-grid';

/** 3D Gaussians with degree-0 spherical harmonics: the columns of a standard 3DGS PLY. */
export interface GaussianSplats {
  readonly count: number;
  readonly positions: Float32Array; // x, y, z
  readonly colorsDc: Float32Array; // f_dc_0..2
  readonly opacities: Float32Array; // logit of opacity
  readonly scales: Float32Array; // log of the standard deviations
  readonly rotations: Float32Array; // w, x, y, z
}

/** SH degree-0 basis constant: colour = 0.5 + C0 · f_dc. */
export const SH_C0 = 0.28209479177387814;
const INITIAL_OPACITY = 0.1;
const NEIGHBOURS = 3;

/**
 * The standard 3DGS initialisation from an SfM point cloud (as in Kerbl et al.'s trainer before
 * its first step): a Gaussian per point, its colour as the DC term, an isotropic scale from the
 * mean distance to its three nearest neighbours, no rotation, opacity 0.1. Untrained: it is what
 * training starts from, not a result.
 */
export function initialGaussians(
  points: readonly { xyz: readonly number[]; rgb: readonly number[] }[],
): GaussianSplats {
  const count = points.length;
  const positions = new Float32Array(count * 3);
  const colorsDc = new Float32Array(count * 3);
  points.forEach((p, i) => {
    for (let k = 0; k < 3; k++) {
      positions[i * 3 + k] = p.xyz[k]!;
      colorsDc[i * 3 + k] = (p.rgb[k]! / 255 - 0.5) / SH_C0;
    }
  });
  const distances = meanNeighbourDistances(positions, NEIGHBOURS);
  const scales = new Float32Array(count * 3);
  const rotations = new Float32Array(count * 4);
  const opacities = new Float32Array(count).fill(Math.log(INITIAL_OPACITY / (1 - INITIAL_OPACITY)));
  for (let i = 0; i < count; i++) {
    const s = Math.log(Math.max(distances[i]!, 1e-7));
    scales.set([s, s, s], i * 3);
    rotations.set([1, 0, 0, 0], i * 4);
  }
  return { count, positions, colorsDc, opacities, scales, rotations };
}

/** Mean distance from each point to its k nearest others. */
export function meanNeighbourDistances(positions: Float32Array, k: number): Float32Array {
  const n = positions.length / 3;
  const out = new Float32Array(n);
  if (n <= 1) return out.fill(1);
  const grid = new PointGrid(positions);
  for (let i = 0; i < n; i++) {
    const d = grid.kNearest(positions[i * 3]!, positions[i * 3 + 1]!, positions[i * 3 + 2]!, k, i);
    out[i] = d.reduce((s, v) => s + v, 0) / d.length;
  }
  return out;
}
