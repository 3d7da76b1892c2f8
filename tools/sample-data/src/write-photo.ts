import sharp from 'sharp';
import { type SimCamera } from './camera';

export interface PhotoMetadata {
  readonly latitude: number;
  readonly longitude: number;
  readonly altitudeM: number;
  readonly relativeAltitudeM: number;
  readonly yaw: number;
  readonly captureTime: Date;
}

/**
 * Encodes a frame as a JPEG with the metadata a DJI drone writes: EXIF camera and GPS tags and
 * the `drone-dji` XMP namespace (relative altitude, gimbal and flight attitude).
 */
export async function writePhoto(
  rgb: Uint8Array,
  camera: SimCamera,
  meta: PhotoMetadata,
  quality = 90,
): Promise<Buffer> {
  const planeResolution = camera.widthPx / camera.sensorWidthMm;
  return sharp(Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength), {
    raw: { width: camera.widthPx, height: camera.heightPx, channels: 3 },
  })
    .withExif({
      IFD0: { Make: camera.make, Model: camera.model, Software: 'aerial-sample-data' },
      IFD2: {
        DateTimeOriginal: exifDate(meta.captureTime),
        FocalLength: rational(camera.focalLengthMm, 100),
        FocalLengthIn35mmFilm: String(camera.focalLength35mm),
        // Unit 4 = millimetres: pixels per millimetre of sensor.
        FocalPlaneXResolution: rational(planeResolution, 10_000),
        FocalPlaneYResolution: rational(planeResolution, 10_000),
        FocalPlaneResolutionUnit: '4',
      },
      IFD3: {
        GPSLatitudeRef: meta.latitude >= 0 ? 'N' : 'S',
        GPSLatitude: dms(Math.abs(meta.latitude)),
        GPSLongitudeRef: meta.longitude >= 0 ? 'E' : 'W',
        GPSLongitude: dms(Math.abs(meta.longitude)),
        GPSAltitudeRef: '0',
        GPSAltitude: rational(meta.altitudeM, 1000),
      },
    })
    .withXmp(djiXmp(meta))
    .jpeg({ quality, mozjpeg: false })
    .toBuffer();
}

function djiXmp(meta: PhotoMetadata): string {
  const yaw = signed(normalizeYaw(meta.yaw), 1);
  const attrs = {
    AbsoluteAltitude: signed(meta.altitudeM, 2),
    RelativeAltitude: signed(meta.relativeAltitudeM, 2),
    GimbalRollDegree: '+0.00',
    GimbalYawDegree: yaw,
    GimbalPitchDegree: '-90.00',
    FlightRollDegree: '+0.00',
    FlightYawDegree: yaw,
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
