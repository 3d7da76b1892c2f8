import { SurveyGroundTruthSchema } from '@aerial/contracts';
import exifr from 'exifr';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { groundSize, simCamera } from './camera';
import { lawnmower } from './flight-plan';
import { generateSurvey } from './generate-survey';
import { metresPerDegree } from './geodesy';

describe('generateSurvey', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'aerial-sample-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('writes JPEGs whose EXIF/XMP match the ground truth', async () => {
    const truth = await generateSurvey({
      outDir: dir,
      widthPx: 400,
      heightPx: 300,
      areaWidthM: 40,
      areaHeightM: 30,
      gpsNoiseM: 0,
    });
    expect(SurveyGroundTruthSchema.parse(JSON.parse(readFileSync(join(dir, 'ground-truth.json'), 'utf8')))).toEqual(
      truth,
    );
    expect(readdirSync(join(dir, 'images')).sort()).toEqual(truth.photos.map((p) => p.name).sort());

    const photo = truth.photos[1]!;
    const bytes = readFileSync(join(dir, 'images', photo.name));
    expect(await sharp(bytes).metadata()).toMatchObject({ format: 'jpeg', width: 400, height: 300 });
    const tags = await exifr.parse(bytes, { xmp: true, mergeOutput: false, reviveValues: false });
    expect(tags.gps.latitude).toBeCloseTo(photo.latitude, 7);
    expect(tags.gps.longitude).toBeCloseTo(photo.longitude, 7);
    expect(tags['drone-dji']).toMatchObject({ RelativeAltitude: 60, GimbalPitchDegree: -90 });
    expect(tags.exif).toMatchObject({
      FocalLength: 4.5,
      FocalLengthIn35mmFormat: 24,
      DateTimeOriginal: '2026:05:14 10:30:02',
    });
  });

  test('a lawnmower plan alternates heading per line and keeps the requested overlaps', () => {
    const camera = simCamera();
    const plan = lawnmower(camera, {
      areaWidthM: 100,
      areaHeightM: 80,
      altitudeM: 60,
      forwardOverlap: 0.7,
      sideOverlap: 0.6,
    });
    const [across, along] = groundSize(camera, 60);
    const line0 = plan.filter((p) => p.line === 0);
    const line1 = plan.filter((p) => p.line === 1);
    expect(line0.every((p) => p.heading === 0)).toBe(true);
    expect(line1.every((p) => p.heading === 180)).toBe(true);
    expect(1 - (line0[1]!.north - line0[0]!.north) / along).toBeCloseTo(0.7, 10);
    expect(1 - (line1[0]!.east - line0[0]!.east) / across).toBeCloseTo(0.6, 10);
  });

  test('a camera mounted at 90° lays its frame width along the track, keeping the overlaps', () => {
    const camera = simCamera();
    const options = { areaWidthM: 100, areaHeightM: 80, altitudeM: 60, forwardOverlap: 0.7, sideOverlap: 0.6 };
    const plan = lawnmower(camera, { ...options, mountDeg: 90 });
    const [width, height] = groundSize(camera, 60);
    const line0 = plan.filter((p) => p.line === 0);
    const line1 = plan.filter((p) => p.line === 1);
    expect(line0.every((p) => p.travel === 0 && p.heading === 90)).toBe(true);
    expect(line1.every((p) => p.travel === 180 && p.heading === 270)).toBe(true);
    expect(1 - (line0[1]!.north - line0[0]!.north) / width).toBeCloseTo(0.7, 10);
    expect(1 - (line1[0]!.east - line0[0]!.east) / height).toBeCloseTo(0.6, 10);
  });

  test('the 35 mm equivalent and the sensor size agree', () => {
    const camera = simCamera();
    const diagonal = Math.hypot(camera.sensorWidthMm, camera.sensorHeightMm);
    expect((camera.focalLengthMm * Math.hypot(36, 24)) / diagonal).toBeCloseTo(24, 10);
  });

  test('WGS84 scale: a degree of latitude is 111.2 km at 50°N, of longitude 71.7 km', () => {
    const m = metresPerDegree(50);
    expect(m.lat / 1000).toBeCloseTo(111.23, 1);
    expect(m.lon / 1000).toBeCloseTo(71.7, 1);
  });
});
