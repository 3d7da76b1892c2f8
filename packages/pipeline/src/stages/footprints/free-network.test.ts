import { type PairMatch } from '../orthomosaic/feature-matching';
import { apply, invert, rotationOf, type Similarity, scaleOf } from '../orthomosaic/similarity';
import { carryPlacement, connectedGroups, fitToGps, relativeNetworks } from './free-network';

const W = 1000;
const H = 750;
const RAD = Math.PI / 180;

/** A 4 × 3 survey whose photos' true placements (y down, metres) are known, with matches made from them. */
function survey(options: { gsdM: number; headingDeg: number; flipEveryLine?: boolean }) {
  const truth: Similarity[] = [];
  for (let line = 0; line < 3; line++) {
    for (let k = 0; k < 4; k++) {
      const heading = options.headingDeg + (options.flipEveryLine && line % 2 ? 180 : 0);
      const s = options.gsdM;
      truth.push({
        a: s * Math.cos(heading * RAD),
        b: s * Math.sin(heading * RAD),
        tx: k * 0.35 * W * s,
        ty: line * 0.4 * H * s,
      });
    }
  }
  const pairs: PairMatch[] = [];
  for (let i = 0; i < truth.length; i++) {
    for (let j = i + 1; j < truth.length; j++) {
      const pointsI: number[] = [];
      const pointsJ: number[] = [];
      for (let g = 0; g < 400; g++) {
        // Deterministic spread of points over image i.
        const u = ((g * 37) % 40) / 40 - 0.5 + 0.01;
        const v = ((g * 13) % 30) / 30 - 0.5 + 0.01;
        const [x, y] = apply(truth[i]!, u * W, v * H);
        const [uj, vj] = invert(truth[j]!, x, y);
        if (Math.abs(uj) > W / 2 || Math.abs(vj) > H / 2) continue;
        pointsI.push(u * W + W / 2, v * H + H / 2);
        pointsJ.push(uj + W / 2, vj + H / 2);
      }
      if (pointsI.length / 2 < 20) continue;
      pairs.push({
        i,
        j,
        pointsI: Float32Array.from(pointsI),
        pointsJ: Float32Array.from(pointsJ),
        rotationRad: rotationOf(truth[j]!) - rotationOf(truth[i]!),
        scale: 1,
        matches: pointsI.length / 2,
      });
    }
  }
  const images = truth.map(() => ({ width: W, height: H, workingScale: 1 }));
  return { truth, pairs, images };
}

const headingOf = (t: Similarity) => (((rotationOf(t) / RAD) % 360) + 360) % 360;
const angleBetween = (a: number, b: number) => Math.abs(((a - b + 540) % 360) - 180);

describe('free network: photos placed from matches and GPS alone', () => {
  test.each([
    // Exact GPS: the network and the fit alone.
    { gsdM: 0.02, headingDeg: 30, flip: false, noiseM: 0, scaleTol: 1e-4, headingTolDeg: 0.01 },
    // 2 m GPS scatter over a 140 m × 90 m survey: errors of the order of scatter / extent.
    { gsdM: 0.1, headingDeg: 117, flip: true, noiseM: 2, scaleTol: 0.01, headingTolDeg: 1 },
  ])(
    'GIVEN matches and GPS scattered by $noiseM m (GSD $gsdM m, heading $headingDeg°, flips $flip) THEN scale and heading come back',
    ({ gsdM, headingDeg, flip, noiseM, scaleTol, headingTolDeg }) => {
      const { truth, pairs, images } = survey({ gsdM, headingDeg, flipEveryLine: flip });
      const networks = relativeNetworks(images, pairs);
      expect(networks).toHaveLength(1);
      const [network] = networks;
      expect(network!.members).toHaveLength(truth.length);
      // GPS: the true centres (east, north) with a deterministic scatter.
      const gps = network!.members.map((k, m): [number, number] => [
        truth[k]!.tx + noiseM * Math.sin(m * 2.1),
        -truth[k]!.ty + noiseM * Math.cos(m * 1.3),
      ]);
      const fit = fitToGps(
        network!.placements.map((t) => [t.tx, -t.ty]),
        gps,
      );
      expect(fit).toBeDefined();
      network!.members.forEach((k, m) => {
        const placed = carryPlacement(network!.placements[m]!, fit!.transform, 1);
        expect(Math.abs(scaleOf(placed) / gsdM - 1)).toBeLessThan(scaleTol);
        expect(angleBetween(headingOf(placed), headingOf(truth[k]!))).toBeLessThan(headingTolDeg);
      });
    },
  );

  test('GIVEN one GPS fix 60 m off THEN the fit flags it and keeps the scale', () => {
    const { truth, pairs, images } = survey({ gsdM: 0.02, headingDeg: 10 });
    const [network] = relativeNetworks(images, pairs);
    const gps = network!.members.map((k): [number, number] => [truth[k]!.tx, -truth[k]!.ty]);
    gps[5] = [gps[5]![0] + 60, gps[5]![1]];
    const fit = fitToGps(
      network!.placements.map((t) => [t.tx, -t.ty]),
      gps,
    )!;
    expect(fit.inliers[5]).toBe(false);
    expect(fit.inliers.filter(Boolean)).toHaveLength(truth.length - 1);
    const placed = carryPlacement(network!.placements[0]!, fit.transform, 1);
    expect(Math.abs(scaleOf(placed) / 0.02 - 1)).toBeLessThan(0.002);
  });

  test('GIVEN GPS positions in one spot THEN no fit is made (no baseline gives a scale)', () => {
    expect(
      fitToGps(
        [
          [0, 0],
          [100, 0],
        ],
        [
          [0, 0],
          [0, 0],
        ],
      ),
    ).toBeUndefined();
  });

  test('connected groups: largest first, singletons kept', () => {
    expect(
      connectedGroups(6, [
        { i: 0, j: 1 },
        { i: 3, j: 4 },
        { i: 4, j: 5 },
      ]),
    ).toEqual([[3, 4, 5], [0, 1], [2]]);
  });

  test('GIVEN the scale THEN only rotation and shift are fitted; GIVEN too little GPS spread THEN no fit', () => {
    const points: [number, number][] = [
      [0, 0],
      [100, 0],
      [100, 50],
    ];
    // The same triangle at 0.05 m per unit, turned 90° counter-clockwise, GPS off by a scale of 1.2.
    const gps = points.map(([x, y]): [number, number] => [-y * 0.05 * 1.2, x * 0.05 * 1.2]);
    const free = fitToGps(points, gps)!;
    expect(free.transform.scale).toBeCloseTo(0.06, 6);
    const fixed = fitToGps(points, gps, { scale: 0.05 })!;
    expect(fixed.transform.scale).toBe(0.05);
    expect(fixed.transform.rotation).toBeCloseTo(Math.PI / 2, 6);
    expect(fitToGps(points, gps, { minSpreadM: 20 })).toBeUndefined();
  });
});
