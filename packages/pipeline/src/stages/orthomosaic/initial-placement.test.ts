import { LocalFrame } from '../../geo/local-frame';
import { opticalAxis, sfmHeading } from './initial-placement';
import { nadirCamera } from './test-support/colmap-camera';

describe('SfM camera placement', () => {
  test.each([0, 45, 137, 180, 300])('heading %p° comes back from the rotation', (heading) => {
    const q = nadirCamera(heading);
    expect(((sfmHeading(q) - heading + 540) % 360) - 180).toBeCloseTo(0, 6);
    expect(opticalAxis(q)[2]).toBeCloseTo(-1, 6);
  });

  test('a camera tilted 2° forward at 40 m looks at ground 1.4 m ahead', () => {
    const axis = opticalAxis(nadirCamera(90, 2));
    const t = -40 / axis[2];
    expect(t * axis[0]).toBeCloseTo(40 * Math.tan((2 * Math.PI) / 180), 6);
    expect(Math.abs(t * axis[1])).toBeLessThan(1e-9);
    expect(new LocalFrame(46.84, -91.99).toLonLat(t * axis[0], 0)[0]).toBeGreaterThan(-91.99);
  });
});
