import { captureInstant, sunAtCapture } from './sun-position';

describe('sun at capture', () => {
  test('Brighton Beach (Duluth, MN), 23 June 2016 16:31 local: sun high in the south-west', () => {
    const sun = sunAtCapture('2016:06:23 16:31:59', -91.994, 46.842)!;
    expect(sun.utcOffsetHours).toBe(-6);
    expect(sun.elevationDeg).toBeGreaterThan(25);
    expect(sun.elevationDeg).toBeLessThan(45);
    expect(sun.azimuthDeg).toBeGreaterThan(230);
    expect(sun.azimuthDeg).toBeLessThan(280);
    expect(captureInstant('2016:06:23 16:31:59', -91.994)).toBe('2016-06-23T22:31:59.000Z');
  });

  test('an unreadable time gives nothing rather than a wrong sun', () => {
    expect(sunAtCapture('yesterday', 0, 51)).toBeUndefined();
    expect(captureInstant('2016:13:45 99:00:00', 0)).toBeUndefined();
  });
});
