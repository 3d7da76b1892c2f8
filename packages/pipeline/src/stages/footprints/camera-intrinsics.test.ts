import { type ImageRecord, ImageRecordSchema } from '@aerial/contracts';
import { cameraIntrinsics, type CameraIntrinsics } from './camera-intrinsics';
import { OPENSFM_SENSOR_SOURCE, OPENSFM_SENSOR_WIDTHS_MM } from './camera-sensors/opensfm-sensor-data';
import { lookUpSensor, sensorKey, sensorTableSize } from './camera-sensors/sensor-table';

function photo(camera: ImageRecord['camera'], width = 4000, height = 3000): ImageRecord {
  return ImageRecordSchema.parse({
    name: 'IMG_0001.JPG',
    bytes: 1,
    sha256: '0'.repeat(64),
    width,
    height,
    camera,
    qa: { accepted: true, reasons: [] },
  });
}

function intrinsics(record: ImageRecord): CameraIntrinsics {
  const result = cameraIntrinsics(record);
  if (typeof result === 'string') throw new Error(`expected intrinsics, got: ${result}`);
  return result;
}

describe('sensor table lookup', () => {
  test('finds a camera whether or not the model repeats the make', () => {
    expect(lookUpSensor('Canon', 'Canon PowerShot SX260 HS')?.widthMm).toBe(6.16);
    expect(lookUpSensor('Canon', 'PowerShot SX260 HS')?.widthMm).toBe(6.16);
  });

  test('ignores case, NUL padding and runs of spaces in EXIF strings', () => {
    expect(lookUpSensor('CANON\u0000\u0000\u0000', '  canon   POWERSHOT SX260 hs\u0000\u0000')?.name).toBe(
      'Canon PowerShot SX260 HS',
    );
    expect(lookUpSensor('Nikon', 'Coolpix S2800')?.name).toBe('Nikon Coolpix S2800 ');
  });

  test('keys cameras the way OpenSfM does', () => {
    expect(sensorKey('Canon', 'Canon PowerShot SX260 HS')).toBe('canon powershot sx260 hs');
    expect(sensorKey('DJI', 'FC330')).toBe('dji fc330');
  });

  test("finds drone cameras by DJI's make and model", () => {
    expect(lookUpSensor('DJI', 'FC330')?.widthMm).toBe(6.25);
    expect(lookUpSensor('DJI', 'FC300S')?.widthMm).toBe(6.16);
    expect(lookUpSensor('DJI', 'ZenmuseP1')).toEqual({ name: 'DJI ZENMUSEP1', widthMm: 35.9, heightMm: 24 });
  });

  test('finds cameras whose EXIF make carries the company name or whose model drops the product line', () => {
    expect(lookUpSensor('NIKON CORPORATION', 'NIKON D800')?.widthMm).toBe(35.9);
    expect(lookUpSensor('SONY', 'DSC-RX100')?.name).toBe('Sony Cybershot DSC RX100');
    expect(lookUpSensor('SONY', 'ILCE-5100')?.widthMm).toBe(23.5);
    expect(lookUpSensor('Panasonic', 'DMC-FZ200')?.widthMm).toBe(6.16);
  });

  test('does not know cameras outside the table, nor a camera with no name', () => {
    expect(lookUpSensor('Acme', 'Imaginary 1')).toBeUndefined();
    expect(lookUpSensor(undefined, undefined)).toBeUndefined();
    expect(lookUpSensor('\u0000', ' ')).toBeUndefined();
  });

  test('holds every entry of the OpenSfM source with a plausible width, and says where it comes from', () => {
    expect(OPENSFM_SENSOR_WIDTHS_MM).toHaveLength(3696);
    expect(sensorTableSize()).toBe(3699);
    for (const [, widthMm] of OPENSFM_SENSOR_WIDTHS_MM) {
      expect(widthMm).toBeGreaterThan(1);
      expect(widthMm).toBeLessThan(50);
    }
    expect(OPENSFM_SENSOR_SOURCE.license).toBe('BSD-2-Clause');
    expect(OPENSFM_SENSOR_SOURCE.widths.path).toBe('opensfm/data/sensor_data.json');
  });
});

describe('cameraIntrinsics', () => {
  test('gives the Canon PowerShot SX260 HS a 6.16 mm wide sensor from the table', () => {
    const camera = intrinsics(photo({ make: 'Canon', model: 'Canon PowerShot SX260 HS', focalLengthMm: 4.5 }));
    expect(camera.source).toBe('sensor-table');
    expect(camera.sensorTableName).toBe('Canon PowerShot SX260 HS');
    expect(camera.sensorWidthMm).toBeCloseTo(6.16, 6);
    expect(camera.sensorHeightMm).toBeCloseTo(4.62, 6);
    expect(camera.focalLengthMm).toBe(4.5);
  });

  test('prefers the focal-plane resolution, then the 35 mm equivalent, then the table', () => {
    const exif = { make: 'DJI', model: 'FC330', focalLengthMm: 3.61 };
    expect(intrinsics(photo({ ...exif, sensorWidthMm: 6.3, focalLength35mm: 20 })).source).toBe('exif-focal-plane');
    expect(intrinsics(photo({ ...exif, focalLength35mm: 20 })).source).toBe('focal-35mm');
    expect(intrinsics(photo(exif)).source).toBe('sensor-table');
  });

  test('keeps the full sensor width for a 16:9 photo from a camera the table gives only a width for', () => {
    const camera = intrinsics(photo({ make: 'DJI', model: 'FC330', focalLengthMm: 3.61 }, 4000, 2250));
    expect(camera.sensorWidthMm).toBeCloseTo(6.25, 6);
    expect(camera.sensorHeightMm).toBeCloseTo((6.25 * 2250) / 4000, 6);
  });

  test('fits a square crop to the sensor height when the table gives one', () => {
    const camera = intrinsics(photo({ make: 'DJI', model: 'ZenmuseP1', focalLengthMm: 35 }, 5460, 5460));
    expect(camera.sensorWidthMm).toBeCloseTo(24, 6);
    expect(camera.sensorHeightMm).toBeCloseTo(24, 6);
  });

  test('turns the sensor with a portrait photo', () => {
    const camera = intrinsics(photo({ make: 'Canon', model: 'PowerShot SX260 HS', focalLengthMm: 4.5 }, 3000, 4000));
    expect(camera.sensorWidthMm).toBeCloseTo(4.62, 6);
    expect(camera.sensorHeightMm).toBeCloseTo(6.16, 6);
  });

  test('says the camera is not in the table and what to do when nothing gives the sensor size', () => {
    const reason = cameraIntrinsics(photo({ make: 'Acme', model: 'Imaginary 1\u0000', focalLengthMm: 8 }));
    expect(reason).toMatch(/^no sensor size: /);
    expect(reason).toContain('camera "Acme Imaginary 1" is not in the sensor table');
    expect(reason).toContain('FocalLengthIn35mmFormat');
    expect(cameraIntrinsics(photo({ focalLengthMm: 8 }))).toContain('the camera make and model are not in EXIF');
  });

  test('needs the focal length even for a camera the table knows', () => {
    expect(cameraIntrinsics(photo({ make: 'DJI', model: 'FC330' }))).toBe('no focal length in EXIF');
  });
});
