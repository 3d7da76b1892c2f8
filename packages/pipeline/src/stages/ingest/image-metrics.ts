/** Luminance statistics of a small greyscale rendition, for exposure and sharpness checks. */
export interface ImageMetrics {
  readonly meanLuminance: number;
  /** Fraction of pixels at or above 250 (clipped highlights). */
  readonly saturatedFraction: number;
  /** Fraction of pixels at or below 12. */
  readonly darkFraction: number;
  /** Variance of the 4-neighbour Laplacian: low for blurred images. */
  readonly laplacianVariance: number;
}

/**
 * Computes metrics from interleaved RGB bytes. Written by hand: it is one pass over a few hundred
 * thousand pixels, and sharp's greyscale-on-decode is slower than converting here (FINDINGS.md).
 */
export function imageMetrics(rgb: Uint8Array, width: number, height: number, channels: number): ImageMetrics {
  const n = width * height;
  const lum = new Float32Array(n);
  let sum = 0;
  let saturated = 0;
  let dark = 0;
  for (let i = 0, p = 0; i < n; i++, p += channels) {
    const y = 0.299 * (rgb[p] as number) + 0.587 * (rgb[p + 1] as number) + 0.114 * (rgb[p + 2] as number);
    lum[i] = y;
    sum += y;
    if (y >= 250) saturated++;
    if (y <= 12) dark++;
  }
  let lapSum = 0;
  let lapSq = 0;
  let count = 0;
  for (let yy = 1; yy < height - 1; yy++) {
    for (let x = 1; x < width - 1; x++) {
      const i = yy * width + x;
      const l =
        (lum[i - 1] as number) +
        (lum[i + 1] as number) +
        (lum[i - width] as number) +
        (lum[i + width] as number) -
        4 * (lum[i] as number);
      lapSum += l;
      lapSq += l * l;
      count++;
    }
  }
  const lapMean = count ? lapSum / count : 0;
  return {
    meanLuminance: n ? sum / n : 0,
    saturatedFraction: n ? saturated / n : 0,
    darkFraction: n ? dark / n : 0,
    laplacianVariance: count ? lapSq / count - lapMean * lapMean : 0,
  };
}
