import { gpsNeighbourPairs, trackHeadings } from './gps-track';

describe('GPS track', () => {
  // Two lines flown east then west, 20 m apart, a photo every 10 m.
  const line = (north: number, reverse: boolean): [number, number][] =>
    Array.from({ length: 5 }, (_, k) => [reverse ? 40 - 10 * k : 10 * k, north]);
  const enu = [...line(0, false), ...line(20, true)];
  const records = enu.map((_, k) => ({ name: `IMG_${String(100 + k)}.JPG` }));

  test('heading follows the direction of travel and flips on the next line', () => {
    const headings = trackHeadings(records, enu);
    expect(headings.slice(0, 4)).toEqual([90, 90, 90, 90]);
    expect(headings.slice(6, 10)).toEqual([270, 270, 270, 270]);
  });

  test('capture order comes from the capture time before the name', () => {
    const shuffled = records.map((r, k) => ({
      ...r,
      captureTime: `2024-05-01T10:00:${String(10 + k).padStart(2, '0')}`,
    }));
    const reversedNames = shuffled.map((r, k) => ({ ...r, name: `IMG_${String(999 - k)}.JPG` }));
    expect(trackHeadings(reversedNames, enu)).toEqual(trackHeadings(records, enu));
  });

  test('two frames with the same GPS fix and nothing else around give no heading', () => {
    expect(
      trackHeadings(records.slice(0, 2), [
        [5, 5],
        [5, 5],
      ]),
    ).toEqual([undefined, undefined]);
  });

  test('candidate pairs: nearest neighbours and consecutive frames, each pair once, lower index first', () => {
    const pairs = gpsNeighbourPairs(enu, 2);
    expect(new Set(pairs.map((p) => p.join('-'))).size).toBe(pairs.length);
    expect(pairs.every(([i, j]) => i < j)).toBe(true);
    expect(pairs).toContainEqual([0, 1]);
    // Frame 4 ends the first line and frame 5 starts the second above it: consecutive, 20 m apart.
    expect(pairs).toContainEqual([4, 5]);
    expect(pairs).not.toContainEqual([0, 7]);
  });

  test('GIVEN frames 5 m apart on lines 40 m apart THEN every photo is also tried against the next line', () => {
    const lines: [number, number][] = [];
    for (let line = 0; line < 3; line++) for (let k = 0; k < 20; k++) lines.push([line * 40, k * 5]);
    const pairs = gpsNeighbourPairs(lines, 8);
    lines.forEach(([east], i) => {
      const across = pairs.filter(([a, b]) => (a === i || b === i) && lines[a === i ? b : a]![0] !== east);
      expect({ photo: i, acrossLines: across.length > 0 }).toEqual({ photo: i, acrossLines: true });
    });
  });
});
