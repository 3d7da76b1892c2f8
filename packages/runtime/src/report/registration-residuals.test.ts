import { type ImageRegistration } from '@aerial/contracts';
import { overallResidualPx, photoResiduals } from './registration-residuals';

/** Three 100 × 100 px photos side by side; B is placed 2 px off where its matches with A say. */
function registration(): ImageRegistration {
  const image = (name: string, tx: number) => ({
    image: name,
    width: 100,
    height: 100,
    placement: { a: 1, b: 0, tx, ty: 0 },
    registered: true,
    gain: 1,
  });
  return {
    origin: { latitude: 51, longitude: 0 },
    unitM: 0.02,
    images: [image('A', 0), image('B', 52), { ...image('C', 200), registered: false }],
    // A's pixel (60, 10) and (70, 90) are B's (10, 10) and (20, 90): B belongs at tx = 50, not 52.
    pairs: [{ i: 0, j: 1, matches: 2, rotationRad: 0, pointsI: [60, 10, 70, 90], pointsJ: [10, 10, 20, 90] }],
    candidatePairs: 2,
    rmsResidualPx: 2,
  };
}

describe('registration residuals per photo', () => {
  test("each point's distance once both photos place it; a photo without matches has none", () => {
    expect(photoResiduals(registration())).toEqual([
      { image: 'A', registered: true, pairs: 1, residualPx: 2 },
      { image: 'B', registered: true, pairs: 1, residualPx: 2 },
      { image: 'C', registered: false, pairs: 0, residualPx: null },
    ]);
    expect(overallResidualPx(registration())).toBe(2);
  });

  test('rotation and scale of the placement apply to the offsets from the centre', () => {
    const r = registration();
    // B turned by 90° about its centre: (10, 10) → offset (−40, −40) → (40, −40) + (50, 0).
    r.images[1]!.placement = { a: 0, b: 1, tx: 50, ty: 0 };
    const [a] = photoResiduals(r);
    // A's (60, 10) → (10, −40); B's (10, 10) → (90, −40): 80 px apart. A's (70, 90) → (20, 40);
    // B's (20, 90) → offset (−30, 40) → (−40, −30) + (50, 0) = (10, −30): √(10² + 70²).
    expect(a!.residualPx).toBeCloseTo(Math.sqrt((80 ** 2 + 10 ** 2 + 70 ** 2) / 2), 3);
  });
});
