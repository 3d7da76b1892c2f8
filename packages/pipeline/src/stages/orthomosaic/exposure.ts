import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import { type PairMatch, type WorkingImage } from './feature-matching';

/**
 * One gain per image so that overlapping images agree in brightness (Brown & Lowe's gain
 * compensation): minimise Σ (gᵢ·Īᵢ − gⱼ·Īⱼ)² / σₙ² + Σ (1 − gᵢ)² / σ_g² over the pairs, where Ī
 * is the mean intensity around the pair's matched points. The prior keeps gains near 1.
 */
export function exposureGains(images: readonly WorkingImage[], pairs: readonly PairMatch[]): number[] {
  const n = images.length;
  const sigmaN = 10;
  const sigmaG = 0.1;
  const normal = Matrix.zeros(n, n);
  const rhs = Matrix.zeros(n, 1);
  for (let k = 0; k < n; k++) {
    normal.set(k, k, 1 / sigmaG ** 2);
    rhs.set(k, 0, 1 / sigmaG ** 2);
  }
  for (const pair of pairs) {
    const mi = meanAt(images[pair.i]!, pair.pointsI);
    const mj = meanAt(images[pair.j]!, pair.pointsJ);
    const w = pair.matches / sigmaN ** 2;
    normal.set(pair.i, pair.i, normal.get(pair.i, pair.i) + w * mi * mi);
    normal.set(pair.j, pair.j, normal.get(pair.j, pair.j) + w * mj * mj);
    normal.set(pair.i, pair.j, normal.get(pair.i, pair.j) - w * mi * mj);
    normal.set(pair.j, pair.i, normal.get(pair.j, pair.i) - w * mi * mj);
  }
  const gains = new CholeskyDecomposition(normal).solve(rhs).getColumn(0);
  // Only relative brightness is the matches' business: keep the survey's overall exposure.
  const mean = gains.reduce((s, g) => s + g, 0) / n;
  return gains.map((g) => Math.max(0.5, Math.min(2, g / mean)));
}

/** Mean grey level in 5×5 windows around the points. */
function meanAt(image: WorkingImage, points: Float32Array): number {
  let sum = 0;
  let count = 0;
  for (let k = 0; k < points.length / 2; k++) {
    const cx = Math.round(points[2 * k]!);
    const cy = Math.round(points[2 * k + 1]!);
    for (let y = Math.max(0, cy - 2); y <= Math.min(image.height - 1, cy + 2); y++) {
      for (let x = Math.max(0, cx - 2); x <= Math.min(image.width - 1, cx + 2); x++) {
        sum += image.grey[y * image.width + x]!;
        count++;
      }
    }
  }
  return count ? sum / count : 128;
}
