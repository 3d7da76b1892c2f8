import { groundSize, simCamera } from './camera';
import { cameraAxes, footprintCorners, groundPoint, type CameraPose } from './camera-pose';
import { renderGround } from './ground-scene';
import { renderFrame } from './render-frame';

describe('a banked camera', () => {
  const camera = simCamera(400, 300);
  const level: CameraPose = { east: 0, north: 0, heightM: 60, heading: 0, travel: 0, rollDeg: 0 };
  const banked: CameraPose = { ...level, rollDeg: 20 };
  // A raster wide enough for the banked view, at 2/3 of the frame's GSD as the generator renders it.
  const ground = renderGround(-150, 80, 300, 160, (groundSize(camera, 60)[0] / 400) * (2 / 3), 3);

  test('a positive roll about northward travel turns the optical axis west, by the roll', () => {
    const { forward, up } = cameraAxes(banked);
    expect((Math.atan2(-forward[0], -forward[2]) * 180) / Math.PI).toBeCloseTo(20, 10);
    expect(forward[1]).toBeCloseTo(0, 12);
    expect(up.map((c) => Math.round(c * 1e12) / 1e12)).toEqual([0, 1, 0]);
  });

  test('a level camera sees the rectangle its sensor and height give', () => {
    const [across, along] = groundSize(camera, 60);
    const corners = footprintCorners(level, camera);
    expect(corners[0][0]).toBeCloseTo(-across / 2, 10);
    expect(corners[0][1]).toBeCloseTo(along / 2, 10);
    expect(corners[2][0]).toBeCloseTo(across / 2, 10);
    expect(corners[2][1]).toBeCloseTo(-along / 2, 10);
  });

  test('a banked frame sees a trapezoid: its far (left) edge is longer than its near (right) edge', () => {
    const [topLeft, topRight, bottomRight, bottomLeft] = footprintCorners(banked, camera);
    const left = topLeft[1] - bottomLeft[1];
    const right = topRight[1] - bottomRight[1];
    expect(left).toBeGreaterThan(right * 1.2);
    // Rolled about the track, the near and far edges stay parallel to it.
    expect(topLeft[0]).toBeCloseTo(bottomLeft[0], 10);
    expect(topRight[0]).toBeCloseTo(bottomRight[0], 10);
  });

  test("each pixel of a banked frame shows the ground its pixel's ray meets", () => {
    const frame = renderFrame(ground, camera, banked);
    const axes = cameraAxes(banked);
    const pixelMm = camera.sensorWidthMm / camera.widthPx;
    // A 1 × 1 level camera over a point renders the raster's colour at exactly that point.
    const dot = simCamera(1, 1);
    for (const [u, v] of [
      [0, 0],
      [399, 0],
      [200, 150],
      [17, 283],
      [388, 241],
    ] as const) {
      const x = (u + 0.5 - 200) * pixelMm;
      const y = (150 - v - 0.5) * pixelMm;
      const [east, north] = groundPoint(banked, axes, camera, x, y);
      const expected = renderFrame(ground, dot, { ...level, east, north });
      const seen = frame.subarray((v * 400 + u) * 3, (v * 400 + u) * 3 + 3);
      // Within 1: the two routes round the ground point differently in the last bits.
      expect(Math.max(...seen.map((c, i) => Math.abs(c - expected[i]!)))).toBeLessThanOrEqual(1);
    }
  });

  test('a banked frame differs from the nadir render from the same place', () => {
    const tilted = renderFrame(ground, camera, banked);
    const nadir = renderFrame(ground, camera, level);
    let sum = 0;
    for (let i = 0; i < nadir.length; i++) sum += Math.abs(tilted[i]! - nadir[i]!);
    expect(sum / nadir.length).toBeGreaterThan(10);
  });
});
