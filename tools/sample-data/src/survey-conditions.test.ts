import { SurveyGroundTruthSchema, type SurveyGroundTruth } from '@aerial/contracts';
import exifr from 'exifr';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSurvey } from './generate-survey';
import { metresPerDegree } from './geodesy';
import { type SurveyOptions } from './survey-options';

type Photo = SurveyGroundTruth['photos'][number];
type Tags = Record<string, Record<string, unknown> | undefined>;

// Small frames and area: a few photos of 400 × 300 render in about a second.
const SMALL = { widthPx: 400, heightPx: 300, areaWidthM: 40, areaHeightM: 30 } as const;

describe('surveys with the conditions of non-DJI photo sets', () => {
  let root: string;
  let count = 0;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'aerial-conditions-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  /** Generates a survey into a fresh folder; checks its written truth against the contract. */
  async function survey(options: Omit<SurveyOptions, 'outDir'>): Promise<{ truth: SurveyGroundTruth; dir: string }> {
    const dir = join(root, String(count++));
    const truth = await generateSurvey({ ...SMALL, ...options, outDir: dir });
    const written: unknown = JSON.parse(readFileSync(join(dir, 'ground-truth.json'), 'utf8'));
    expect(SurveyGroundTruthSchema.parse(written)).toEqual(truth);
    return { truth, dir };
  }

  async function tagsOf(dir: string, photo: Photo): Promise<Tags> {
    const bytes = readFileSync(join(dir, 'images', photo.name));
    return (await exifr.parse(bytes, { xmp: true, mergeOutput: false, reviveValues: false })) as Tags;
  }

  test('without XMP a photo records only EXIF GPS and camera tags: no relative altitude, no attitude', async () => {
    const { truth, dir } = await survey({ xmp: false, bankDeg: 15, bankedPhotos: [2] });
    expect(truth.xmp).toBe(false);
    for (const photo of truth.photos.slice(0, 2)) {
      const tags = await tagsOf(dir, photo);
      expect(tags['drone-dji']).toBeUndefined();
      expect(tags.xmp).toBeUndefined();
      expect(readFileSync(join(dir, 'images', photo.name)).includes('http://ns.adobe.com/xap/1.0/')).toBe(false);
      expect(tags.gps).toMatchObject({ GPSAltitude: 72 });
      expect(tags.ifd0).toMatchObject({ Make: 'Aerial', Model: 'SimCam 1' });
      expect(tags.exif).toMatchObject({ FocalLength: 4.5, FocalLengthIn35mmFormat: 24 });
    }
    expect(truth.photos[1]!.rollDeg).toBe(15);
  });

  test('full camera tags record the focal-plane resolution that gives the true sensor width', async () => {
    const { truth, dir } = await survey({});
    const exif = (await tagsOf(dir, truth.photos[0]!)).exif!;
    expect(truth.cameraTags).toBe('full');
    expect(exif.FocalPlaneResolutionUnit).toBe(4);
    expect(400 / (exif.FocalPlaneXResolution as number)).toBeCloseTo(truth.camera.sensorWidthMm, 3);
  });

  test('table-only camera tags: a Canon PowerShot SX260 HS with its focal length only, its 6.16 mm sensor the truth', async () => {
    const { truth, dir } = await survey({ cameraTags: 'table-only' });
    const tags = await tagsOf(dir, truth.photos[0]!);
    expect(tags.ifd0).toMatchObject({ Make: 'Canon', Model: 'Canon PowerShot SX260 HS' });
    expect(tags.exif).toMatchObject({ FocalLength: 4.5 });
    for (const absent of ['FocalLengthIn35mmFormat', 'FocalPlaneXResolution', 'FocalPlaneYResolution']) {
      expect(tags.exif).not.toHaveProperty(absent);
    }
    expect(tags.exif).not.toHaveProperty('FocalPlaneResolutionUnit');
    expect(truth.cameraTags).toBe('table-only');
    expect(truth.camera).toMatchObject({ make: 'Canon', model: 'Canon PowerShot SX260 HS', sensorWidthMm: 6.16 });
    // The footprint follows the Canon's sensor: 6.16 mm at 4.5 mm from 60 m is 82.13 m across.
    expect(truth.gsdCm * 4).toBeCloseTo((60 * 6.16) / 4.5, 6);
  });

  test('equivalent-only camera tags: an unlisted camera with focal length and 35 mm equivalent, no focal plane', async () => {
    const { truth, dir } = await survey({ cameraTags: 'equivalent-only' });
    const tags = await tagsOf(dir, truth.photos[0]!);
    expect(tags.ifd0).toMatchObject({ Make: 'Aerial', Model: 'Unlisted 9' });
    expect(tags.exif).toMatchObject({ FocalLength: 4.5, FocalLengthIn35mmFormat: 24 });
    expect(tags.exif).not.toHaveProperty('FocalPlaneXResolution');
    expect(tags.exif).not.toHaveProperty('FocalPlaneResolutionUnit');
    const diagonal = Math.hypot(truth.camera.sensorWidthMm, truth.camera.sensorHeightMm);
    expect((4.5 * Math.hypot(36, 24)) / diagonal).toBeCloseTo(24, 10);
  });

  test('the recorded GPS altitude rises by the drift from first to last photo while the true height stays', async () => {
    const { truth, dir } = await survey({ altitudeDriftM: 15 });
    const first = truth.photos[0]!;
    const last = truth.photos.at(-1)!;
    const recorded = async (photo: Photo) => (await tagsOf(dir, photo)).gps!.GPSAltitude as number;
    expect(await recorded(first)).toBeCloseTo(72, 3);
    expect(await recorded(last)).toBeCloseTo(87, 3);
    expect(last.recordedAltitudeM! - first.recordedAltitudeM!).toBeCloseTo(15, 10);
    const steps = truth.photos.slice(1).map((p, i) => p.recordedAltitudeM! - truth.photos[i]!.recordedAltitudeM!);
    expect(Math.max(...steps) - Math.min(...steps)).toBeLessThan(1e-9);
    expect(truth.photos.every((p) => p.heightAboveGroundM === 60)).toBe(true);
    expect((await tagsOf(dir, last))['drone-dji']).toMatchObject({ RelativeAltitude: 60, AbsoluteAltitude: 87 });
    expect(truth.altitudeDriftM).toBe(15);
  });

  test('a camera mounted at 90° has heading = travel + 90°, recorded as the gimbal yaw', async () => {
    const { truth, dir } = await survey({ mountDeg: 90 });
    expect(truth.mountDeg).toBe(90);
    const origin = truth.origin;
    const m = metresPerDegree(origin.latitude);
    for (const line of [0, 1]) {
      const [a, b] = truth.photos.filter((p) => p.line === line);
      // Travel measured from where consecutive photos were taken, not from the truth's own field.
      const travel = azimuth((b!.longitude - a!.longitude) * m.lon, (b!.latitude - a!.latitude) * m.lat);
      expect(b!.travelDeg).toBeCloseTo(travel, 6);
      expect(mod360(b!.heading - travel)).toBeCloseTo(90, 6);
      const dji = (await tagsOf(dir, b!))['drone-dji']!;
      expect(mod360(dji.GimbalYawDegree as number)).toBeCloseTo(b!.heading, 1);
      expect(mod360(dji.FlightYawDegree as number)).toBeCloseTo(travel, 1);
      // The footprint's top edge runs left to right, a quarter turn clockwise from the heading.
      const [topLeft, topRight] = footprintMetres(b!, origin);
      const edge = azimuth(topRight![0] - topLeft![0], topRight![1] - topLeft![1]);
      expect(edge).toBeCloseTo(mod360(b!.heading + 90), 6);
    }
  });

  test("a banked photo's true footprint is a larger, non-rectangular quadrilateral, left of the track for a positive roll", async () => {
    const { truth, dir } = await survey({ bankDeg: 20, bankedPhotos: [2] });
    const [nadir, banked] = truth.photos as [Photo, Photo];
    expect(banked).toMatchObject({ rollDeg: 20, pitchDeg: 0, travelDeg: 0 });
    expect(nadir).toMatchObject({ rollDeg: 0, pitchDeg: 0 });
    const flat = footprintMetres(nadir, truth.origin);
    const tilted = footprintMetres(banked, truth.origin);
    expect(cornerAngles(flat).every((a) => Math.abs(a - 90) < 1e-6)).toBe(true);
    expect(cornerAngles(tilted).some((a) => Math.abs(a - 90) > 5)).toBe(true);
    expect(area(tilted)).toBeGreaterThan(area(flat) * 1.1);
    const m = metresPerDegree(truth.origin.latitude);
    const cameraEast = (banked.longitude - truth.origin.longitude) * m.lon;
    const centroidEast = tilted.reduce((s, [e]) => s + e, 0) / 4;
    expect(centroidEast).toBeLessThan(cameraEast - 10);

    const dji = (await tagsOf(dir, banked))['drone-dji']!;
    expect(dji).toMatchObject({ GimbalRollDegree: 20, GimbalPitchDegree: -90, FlightRollDegree: 20 });
    expect((await tagsOf(dir, nadir))['drone-dji']).toMatchObject({ GimbalRollDegree: 0 });
  });

  test('a ground truth written before these conditions parses as nadir, DJI XMP and full camera tags', async () => {
    const { truth } = await survey({});
    const { mountDeg, xmp, cameraTags, altitudeDriftM, ...older } = truth;
    const olderPhotos = truth.photos.map(
      ({ rollDeg: _r, pitchDeg: _p, travelDeg: _t, recordedAltitudeM: _a, ...photo }) => photo,
    );
    const parsed = SurveyGroundTruthSchema.parse({ ...older, photos: olderPhotos });
    expect(parsed).toMatchObject({ mountDeg: 0, xmp: true, cameraTags: 'full', altitudeDriftM: 0 });
    expect(parsed.photos[0]).toMatchObject({ rollDeg: 0, pitchDeg: 0 });
    expect(parsed.photos[0]!.recordedAltitudeM).toBeUndefined();
    expect([mountDeg, xmp, cameraTags, altitudeDriftM]).toEqual([0, true, 'full', 0]);
  });

  test('rejects a mount that is not a quarter turn, a bank beyond 30° and banked photos that do not exist', async () => {
    const outDir = join(root, 'rejected');
    await expect(generateSurvey({ ...SMALL, outDir, mountDeg: 45 as 0 })).rejects.toThrow(
      /mountDeg is 45.*0, 90, 180 or 270/,
    );
    await expect(generateSurvey({ ...SMALL, outDir, bankDeg: 40, bankedPhotos: [1] })).rejects.toThrow(
      /bankDeg is 40.*-30 to 30/,
    );
    await expect(generateSurvey({ ...SMALL, outDir, bankDeg: 10, bankedPhotos: [99] })).rejects.toThrow(
      /bankedPhotos holds 99 but the survey has \d+ photos/,
    );
    await expect(generateSurvey({ ...SMALL, outDir, cameraTags: 'exotic' as 'full' })).rejects.toThrow(
      /cameraTags is exotic.*full, table-only, equivalent-only/,
    );
  });
});

/** The footprint's four corners in metres east and north of the survey origin. */
function footprintMetres(photo: Photo, origin: SurveyGroundTruth['origin']): [number, number][] {
  const m = metresPerDegree(origin.latitude);
  const ring = photo.footprint.coordinates[0]!.slice(0, 4);
  return ring.map(([lon, lat]) => [(lon! - origin.longitude) * m.lon, (lat! - origin.latitude) * m.lat]);
}

function cornerAngles(q: [number, number][]): number[] {
  return q.map((p, i) => {
    const a = q[(i + 3) % 4]!;
    const b = q[(i + 1) % 4]!;
    const u = [a[0] - p[0], a[1] - p[1]];
    const v = [b[0] - p[0], b[1] - p[1]];
    const cos = (u[0]! * v[0]! + u[1]! * v[1]!) / (Math.hypot(u[0]!, u[1]!) * Math.hypot(v[0]!, v[1]!));
    return (Math.acos(cos) * 180) / Math.PI;
  });
}

function area(q: [number, number][]): number {
  return Math.abs(q.reduce((s, [x, y], i) => s + x * q[(i + 1) % 4]![1] - q[(i + 1) % 4]![0] * y, 0)) / 2;
}

function azimuth(east: number, north: number): number {
  return mod360((Math.atan2(east, north) * 180) / Math.PI);
}

function mod360(deg: number): number {
  const d = ((deg % 360) + 360) % 360;
  return d > 360 - 1e-9 ? 0 : d;
}
