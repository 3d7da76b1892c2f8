import { GpsPositionSchema } from '@aerial/contracts';
import fc from 'fast-check';
import { exifDate } from './analyze-image';
import { gpsPosition } from './gps-position';

/** EXIF GPS and time as exifr hands them over: whatever the camera wrote, a position or a reason. */
describe('EXIF GPS and capture time: properties', () => {
  const coordinate = fc.oneof(
    fc.double(),
    fc.double({ min: -200, max: 200, noNaN: true }),
    fc.constantFrom(0, -0, 90, -90, 180, -180, Number.NaN, Infinity),
    fc.string(),
    fc.constant(undefined),
  );

  test('any latitude and longitude give a position inside the globe (not 0,0) or a reason', () => {
    fc.assert(
      fc.property(coordinate, coordinate, fc.oneof(fc.double(), fc.string()), (latitude, longitude, GPSAltitude) => {
        const result = gpsPosition({ latitude, longitude, GPSAltitude });
        if ('problem' in result) {
          expect(result.problem).toMatch(/GPS/);
          return;
        }
        expect(GpsPositionSchema.safeParse(result.position).success).toBe(true);
        expect(result.position.latitude === 0 && result.position.longitude === 0).toBe(false);
        if (result.position.altitude !== undefined) expect(Number.isFinite(result.position.altitude)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  test('every real position on the globe, away from 0,0, is kept exactly', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -90, max: 90, noNaN: true }),
        fc.double({ min: -180, max: 180, noNaN: true }),
        (latitude, longitude) => {
          fc.pre(latitude !== 0 || longitude !== 0);
          expect(gpsPosition({ latitude, longitude })).toEqual({
            position: { latitude, longitude, altitude: undefined },
          });
        },
      ),
    );
  });

  test('a capture time is read only when it is a real calendar date', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.date({ noInvalidDate: true }).map(exifText),
          fc.stringMatching(/^\d{4}:\d{2}:\d{2} \d{2}:\d{2}:\d{2}$/),
        ),
        (text) => {
          const iso = exifDate(text);
          if (iso === undefined) return;
          expect(new Date(`${iso}Z`).toISOString().slice(0, 19)).toBe(iso);
        },
      ),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1900-01-01'), max: new Date('2999-12-31'), noInvalidDate: true }),
        (date) => {
          expect(exifDate(exifText(date))).toBe(date.toISOString().slice(0, 19));
        },
      ),
    );
  });
});

function exifText(date: Date): string {
  return date.toISOString().slice(0, 19).replace(/-/g, ':').replace('T', ' ');
}
