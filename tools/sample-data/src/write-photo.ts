import { type SurveyCameraTags } from '@aerial/contracts';
import sharp from 'sharp';
import { type SimCamera } from './camera';

export interface PhotoMetadata {
  readonly latitude: number;
  readonly longitude: number;
  /** What the GPS records, metres above sea level. */
  readonly altitudeM: number;
  readonly relativeAltitudeM: number;
  /** Azimuth of the image's top edge, as DJI records the gimbal's yaw. */
  readonly yaw: number;
  /** The aircraft's yaw: its direction of flight. */
  readonly flightYaw: number;
  /** Roll about the direction of flight, degrees, positive right side down. */
  readonly rollDeg: number;
  readonly captureTime: Date;
}

/** Which of the metadata a camera writes: DJI's XMP or not, and which EXIF camera tags. */
export interface PhotoRecording {
  readonly xmp: boolean;
  readonly cameraTags: SurveyCameraTags;
}

/**
 * Encodes a frame as a JPEG with the metadata a drone writes: EXIF camera and GPS tags and, for a
 * DJI, the `drone-dji` XMP namespace (relative altitude, gimbal and flight attitude).
 */
export async function writePhoto(
  rgb: Uint8Array,
  camera: SimCamera,
  meta: PhotoMetadata,
  recording: PhotoRecording,
  quality = 90,
): Promise<Buffer> {
  const image = sharp(Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength), {
    raw: { width: camera.widthPx, height: camera.heightPx, channels: 3 },
  }).withExif({
    IFD0: { Make: camera.make, Model: camera.model, Software: 'aerial-sample-data' },
    IFD2: {
      DateTimeOriginal: exifDate(meta.captureTime),
      ...cameraExif(camera, recording.cameraTags),
    },
    IFD3: {
      GPSLatitudeRef: meta.latitude >= 0 ? 'N' : 'S',
      GPSLatitude: dms(Math.abs(meta.latitude)),
      GPSLongitudeRef: meta.longitude >= 0 ? 'E' : 'W',
      GPSLongitude: dms(Math.abs(meta.longitude)),
      GPSAltitudeRef: meta.altitudeM >= 0 ? '0' : '1',
      GPSAltitude: rational(Math.abs(meta.altitudeM), 1000),
    },
  });
  return (recording.xmp ? image.withXmp(djiXmp(meta)) : image).jpeg({ quality, mozjpeg: false }).toBuffer();
}

function cameraExif(camera: SimCamera, tags: SurveyCameraTags): Record<string, string> {
  const focalLength = { FocalLength: rational(camera.focalLengthMm, 100) };
  if (tags === 'table-only') return focalLength;
  const equivalent = { ...focalLength, FocalLengthIn35mmFilm: String(Math.round(camera.focalLength35mm)) };
  if (tags === 'equivalent-only') return equivalent;
  const planeResolution = camera.widthPx / camera.sensorWidthMm;
  return {
    ...equivalent,
    // Unit 4 = millimetres: pixels per millimetre of sensor.
    FocalPlaneXResolution: rational(planeResolution, 10_000),
    FocalPlaneYResolution: rational(planeResolution, 10_000),
    FocalPlaneResolutionUnit: '4',
  };
}

function djiXmp(meta: PhotoMetadata): string {
  const roll = signed(meta.rollDeg, 2);
  const attrs = {
    AbsoluteAltitude: signed(meta.altitudeM, 2),
    RelativeAltitude: signed(meta.relativeAltitudeM, 2),
    GimbalRollDegree: roll,
    GimbalYawDegree: signed(normalizeYaw(meta.yaw), 1),
    GimbalPitchDegree: '-90.00',
    FlightRollDegree: roll,
    FlightYawDegree: signed(normalizeYaw(meta.flightYaw), 1),
    FlightPitchDegree: '+0.00',
  };
  const body = Object.entries(attrs)
    .map(([k, v]) => ` drone-dji:${k}="${v}"`)
    .join('');
  return (
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
    `<rdf:Description rdf:about="" xmlns:drone-dji="http://www.dji.com/drone-dji/1.0/"${body}/>` +
    '</rdf:RDF></x:xmpmeta>'
  );
}

/** DJI records yaw in (−180, 180]. */
function normalizeYaw(yaw: number): number {
  const y = ((((yaw + 180) % 360) + 360) % 360) - 180;
  return y === -180 ? 180 : y;
}

function signed(v: number, digits: number): string {
  return `${v >= 0 ? '+' : ''}${v.toFixed(digits)}`;
}

function rational(v: number, denominator: number): string {
  return `${Math.round(v * denominator)}/${denominator}`;
}

function dms(degrees: number): string {
  const d = Math.floor(degrees);
  const mFloat = (degrees - d) * 60;
  const m = Math.floor(mFloat);
  const s = (mFloat - m) * 60;
  return `${d}/1 ${m}/1 ${Math.round(s * 1_000_000)}/1000000`;
}

function exifDate(date: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${date.getUTCFullYear()}:${p(date.getUTCMonth() + 1)}:${p(date.getUTCDate())} ${p(date.getUTCHours())}:${p(date.getUTCMinutes())}:${p(date.getUTCSeconds())}`;
}
