import { sampleRow } from './tile-warper';

/** A pixel as the page holds it: a word with R in the low byte. */
const word = (r: number, g: number, b: number, a: number) => (r | (g << 8) | (b << 16) | (a << 24)) >>> 0;
const rgba = (w: number) => [w & 255, (w >>> 8) & 255, (w >>> 16) & 255, w >>> 24];

describe('sampleRow', () => {
  // Two rows of three pixels: opaque red, transparent, opaque white / black, opaque black, opaque white.
  const source = {
    rows: [
      new Uint32Array([word(255, 0, 0, 255), word(0, 0, 0, 0), word(255, 255, 255, 255)]),
      new Uint32Array([word(0, 0, 0, 255), word(0, 0, 0, 255), word(255, 255, 255, 255)]),
    ],
    first: 10,
    width: 3,
  };
  const sample = (points: [number, number][]) => {
    const out = new Uint32Array(points.length);
    const seen = sampleRow(
      source,
      Float64Array.from(points.map((p) => p[0])),
      Float64Array.from(points.map((p) => p[1])),
      points.length,
      out,
      0,
    );
    return { pixels: Array.from(out, rgba), seen };
  };

  test('at a pixel centre it returns that pixel; rows are counted from the first one held', () => {
    expect(sample([[0.5, 10.5]]).pixels).toEqual([[255, 0, 0, 255]]);
    expect(sample([[2.5, 11.5]]).pixels).toEqual([[255, 255, 255, 255]]);
  });

  test('between opaque pixels it blends linearly', () => {
    // Red over black, halfway down.
    expect(sample([[0.5, 11]]).pixels).toEqual([[128, 0, 0, 255]]);
    // Black and white, a quarter of the way: 64.
    expect(sample([[1.75, 11.5]]).pixels).toEqual([[64, 64, 64, 255]]);
  });

  test('next to a transparent pixel the colour keeps its own value and only the alpha falls', () => {
    // Halfway from red to the transparent pixel: still pure red, half transparent (no dark fringe).
    expect(sample([[1, 10.5]]).pixels).toEqual([[255, 0, 0, 128]]);
  });

  test('outside the page, or past the rows held, is transparent; the page edge fades over half a pixel', () => {
    const { pixels, seen } = sample([
      [-0.6, 10.5],
      [5, 10.5],
      [0.5, 13],
      [0.5, 8],
    ]);
    expect(pixels).toEqual([
      [0, 0, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ]);
    expect(seen).toBe(0);
    // On the left edge of the red pixel: red, half covered.
    expect(sample([[0, 10.5]]).pixels).toEqual([[255, 0, 0, 128]]);
  });
});
