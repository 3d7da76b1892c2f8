import { surveyOptionsFromArgs } from './cli-options';

describe('the command line', () => {
  test('asks for the conditions of non-DJI photo sets by flag', () => {
    const options = surveyOptionsFromArgs([
      '--out',
      '/tmp/survey',
      '--no-xmp',
      '--camera-tags',
      'table-only',
      '--altitude-drift=-5',
      '--mount',
      '270',
      '--bank',
      '15',
      '--bank-photos',
      '3,7',
    ]);
    expect(options).toMatchObject({
      outDir: '/tmp/survey',
      xmp: false,
      cameraTags: 'table-only',
      altitudeDriftM: -5,
      mountDeg: 270,
      bankDeg: 15,
      bankedPhotos: [3, 7],
    });
  });

  test('defaults to a DJI-style nadir survey', () => {
    expect(surveyOptionsFromArgs([])).toMatchObject({ xmp: true, cameraTags: 'full', altitudeDriftM: 0, mountDeg: 0 });
    expect(surveyOptionsFromArgs([])).not.toHaveProperty('bankDeg');
  });

  test('names the flag to fix', () => {
    expect(() => surveyOptionsFromArgs(['--camera-tags', 'exif'])).toThrow(/--camera-tags must be one of full/);
    expect(() => surveyOptionsFromArgs(['--mount', '45'])).toThrow(/--mount must be 0, 90, 180 or 270/);
    expect(() => surveyOptionsFromArgs(['--bank', '10'])).toThrow(/--bank and --bank-photos go together/);
    expect(() => surveyOptionsFromArgs(['--bank', '10', '--bank-photos', '0,2'])).toThrow(/--bank-photos must list/);
    expect(() => surveyOptionsFromArgs(['--altitude-drift', 'x'])).toThrow(/--altitude-drift must be a number/);
  });
});
