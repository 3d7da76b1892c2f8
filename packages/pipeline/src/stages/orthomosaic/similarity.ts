/**
 * Where an image lands in the mosaic: mosaic = [a −b; b a]·(p − c) + t, with p a full-resolution
 * pixel of the image (y down), c the image centre and the mosaic's y also pointing down. a and b
 * hold scale and rotation (a = s·cos θ, b = s·sin θ).
 */
export interface Similarity {
  readonly a: number;
  readonly b: number;
  readonly tx: number;
  readonly ty: number;
}

/** The mosaic position of image pixel offset (u, v) from the image centre. */
export function apply(t: Similarity, u: number, v: number): [number, number] {
  return [t.a * u - t.b * v + t.tx, t.b * u + t.a * v + t.ty];
}

/** The image pixel offset (from its centre) that lands on mosaic point (x, y). */
export function invert(t: Similarity, x: number, y: number): [number, number] {
  const d = t.a * t.a + t.b * t.b;
  const dx = x - t.tx;
  const dy = y - t.ty;
  return [(t.a * dx + t.b * dy) / d, (-t.b * dx + t.a * dy) / d];
}

export function rotationOf(t: Similarity): number {
  return Math.atan2(t.b, t.a);
}

export function scaleOf(t: Similarity): number {
  return Math.hypot(t.a, t.b);
}

/** Angle wrapped to (−π, π]. */
export function wrapAngle(rad: number): number {
  let r = rad % (2 * Math.PI);
  if (r <= -Math.PI) r += 2 * Math.PI;
  if (r > Math.PI) r -= 2 * Math.PI;
  return r;
}
