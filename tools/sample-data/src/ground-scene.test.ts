import { renderGround } from './ground-scene';

describe('the ground scene', () => {
  test('lists each building it draws, with its roof where the list says', () => {
    const ground = renderGround(-60, 50, 120, 100, 0.1, 1);
    expect(ground.buildings.length).toBeGreaterThanOrEqual(2);
    for (const b of ground.buildings) {
      // A quarter in from the west edge: the lit half of the roof, whatever trees stand around.
      const col = Math.floor((b.east - b.widthM / 4 - ground.west) / ground.resolutionM);
      const row = Math.floor((ground.north - b.north) / ground.resolutionM);
      const i = (row * ground.width + col) * 3;
      const [r, bl] = [ground.rgb[i]!, ground.rgb[i + 2]!];
      // Shading scales all three channels alike: the roof's hue survives it.
      if (b.roof === 'red') expect(r / bl).toBeCloseTo(150 / 48, 0);
      else expect(bl / r).toBeCloseTo(132 / 120, 1);
    }
  });
});
