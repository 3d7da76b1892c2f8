import { type PairMatch } from '../orthomosaic/feature-matching';
import { invert, type Similarity } from '../orthomosaic/similarity';
import { estimatePerspective, type TiltInput } from './tilt';

const W = 1000;
const H = 750;
const F = 900; // focal length, pixels

/** Ground (metres, y down) seen by pixel (u, v) from the image centre, camera at 50 m rolled by `rollDeg`. */
function groundOf(u: number, v: number, rollDeg: number): [number, number] {
  const r = (rollDeg * Math.PI) / 180;
  // Ray (u, v, F) in the camera, rolled about the image's vertical axis.
  const x = u * Math.cos(r) + F * Math.sin(r);
  const z = -u * Math.sin(r) + F * Math.cos(r);
  return [(50 * x) / z, (50 * v) / z];
}

/** A photo rolled by `rollDeg` between two nadir neighbours left and right, with matches made from the geometry. */
function scene(rollDeg: number): { images: TiltInput[]; pairs: PairMatch[] } {
  const gsd = 50 / F;
  const neighbour = (dx: number): Similarity => ({ a: gsd, b: 0, tx: dx, ty: 0 });
  const placements = [{ a: gsd, b: 0, tx: 0, ty: 0 }, neighbour(-15), neighbour(15)];
  const pairs: PairMatch[] = [1, 2].map((j) => {
    const pointsI: number[] = [];
    const pointsJ: number[] = [];
    for (let gy = 0; gy < 20; gy++) {
      for (let gx = 0; gx < 20; gx++) {
        const u = ((gx + 0.5) / 20 - 0.5) * W;
        const v = ((gy + 0.5) / 20 - 0.5) * H;
        const [x, y] = groundOf(u, v, rollDeg);
        const [uj, vj] = invert(placements[j]!, x, y);
        if (Math.abs(uj) > W / 2 || Math.abs(vj) > H / 2) continue;
        pointsI.push(u + W / 2, v + H / 2);
        pointsJ.push(uj + W / 2, vj + H / 2);
      }
    }
    return {
      i: 0,
      j,
      pointsI: Float32Array.from(pointsI),
      pointsJ: Float32Array.from(pointsJ),
      rotationRad: 0,
      scale: 1,
      matches: pointsI.length / 2,
    };
  });
  return {
    images: placements.map((placement) => ({ width: W, height: H, workingScale: 1, placement, focalPx: F })),
    pairs,
  };
}

describe('tilt from the neighbours', () => {
  test.each([0, 5, 12, 20])('GIVEN a photo rolled %p° THEN the tilt measured against its nadir neighbours', (roll) => {
    const [estimate] = estimatePerspective(scene(roll).images, scene(roll).pairs);
    expect(estimate).toBeDefined();
    expect(estimate!.tiltDeg!).toBeCloseTo(roll, 1);
  });

  test('GIVEN too few matches THEN no estimate', () => {
    const { images, pairs } = scene(10);
    const few = pairs.map((p) => ({ ...p, pointsI: p.pointsI.slice(0, 10), pointsJ: p.pointsJ.slice(0, 10) }));
    expect(estimatePerspective(images, few)[0]).toBeUndefined();
  });
});
