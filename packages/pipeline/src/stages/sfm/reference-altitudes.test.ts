import { type ImageRecord } from '@aerial/contracts';
import { referenceAltitudes } from './sfm-stage';

const photo = (name: string, altitude: number): ImageRecord => ({
  name,
  bytes: 1,
  sha256: '0'.repeat(64),
  camera: {},
  gps: { latitude: 30, longitude: -98, altitude },
  qa: { accepted: true, reasons: [], warnings: [], metrics: {} },
});

describe('SfM reference altitudes', () => {
  // GPS altitude drifts up by 100 m while the camera flies level 45 m above a 300 m ground.
  const records = [photo('a', 345), photo('b', 395), photo('c', 445)];

  test('GIVEN heights from the photos THEN one ground plus each height, not the drifting GPS altitude', () => {
    const altitudeOf = referenceAltitudes(
      records,
      new Map([
        ['a', 45],
        ['b', 45],
        ['c', 45],
      ]),
    );
    expect(records.map(altitudeOf)).toEqual([395, 395, 395]);
  });

  test('GIVEN one photo without a height THEN it takes the median height; with most unknown THEN GPS altitudes', () => {
    const mostKnown = referenceAltitudes(
      records,
      new Map([
        ['a', 44],
        ['b', 46],
      ]),
    );
    expect(records.map(mostKnown)).toEqual([369, 371, 370]);
    const fewKnown = referenceAltitudes(records, new Map([['a', 45]]));
    expect(records.map(fewKnown)).toEqual([345, 395, 445]);
  });
});
