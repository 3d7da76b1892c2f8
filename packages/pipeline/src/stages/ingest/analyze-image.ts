import { type ImageRecord, type QaReason } from '@aerial/contracts';
import exifr from 'exifr';
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { gpsPosition } from './gps-position';
import { imageMetrics, type ImageMetrics } from './image-metrics';

/** Longest side of the rendition used for exposure and blur metrics. */
export const METRICS_SIZE = 768;

/** What one file tells about itself, before dataset-wide checks. */
export interface ImageAnalysis {
  readonly sha256: string;
  /** Refused before its bytes were read (a symlink, an unsafe name, an unpacking error): no real hash. */
  readonly unread?: true;
  readonly format?: 'jpeg' | 'tiff';
  readonly width?: number;
  readonly height?: number;
  readonly camera: ImageRecord['camera'];
  readonly gps?: ImageRecord['gps'];
  readonly relativeAltitude?: number;
  readonly gimbal?: ImageRecord['gimbal'];
  readonly flight?: ImageRecord['flight'];
  readonly captureTime?: string;
  readonly software?: string;
  readonly metrics?: ImageMetrics;
  readonly reasons: QaReason[];
  readonly warnings: string[];
}

/**
 * Fewer pixels than this on the shorter side is a thumbnail or a placeholder, not a mapping photo:
 * too small to match features in, and its sharpness reads as 0 (it was called "blurred").
 */
export const MIN_SIDE_PX = 64;

/** A gimbal pitch further than this from straight down (−90°) is not a mapping photo. */
export const MAX_NADIR_DEVIATION_DEG = 15;

/** Reads, checks and measures one file. Never throws for bad content: it returns reasons. */
export async function analyzeImage(bytes: Buffer, maxPixels: number): Promise<ImageAnalysis> {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const reasons: QaReason[] = [];
  const warnings: string[] = [];
  const base = { sha256, camera: {}, reasons, warnings };
  if (bytes.length === 0) return { ...base, reasons: [{ code: 'empty-file', message: 'the file is empty (0 bytes)' }] };

  const format = sniffFormat(bytes);
  if (!format) return { ...base, reasons: [{ code: 'not-an-image', message: notAnImageMessage(bytes) }] };

  const size = await readSize(bytes, format, maxPixels);
  if ('refused' in size) return { ...base, format, ...size.declared, reasons: [size.refused] };
  const { width, height } = size;

  const measured = await measure(bytes, maxPixels);
  if ('refused' in measured) {
    reasons.push(measured.refused);
    return { ...base, format, width, height };
  }
  const { metrics } = measured;
  const exposure = exposureReason(metrics);
  if (exposure) reasons.push(exposure);

  const tags = await readTags(bytes).catch((e: unknown) => {
    warnings.push(`metadata could not be parsed: ${message(e)}`);
    return undefined;
  });
  if (!tags?.ifd0 && !tags?.exif) {
    reasons.push({ code: 'no-exif', message: 'the file has no EXIF metadata (camera, focal length, GPS)' });
    return { ...base, format, width, height, metrics };
  }
  return { ...base, format, width, height, metrics, ...describe(tags, width, height, reasons, warnings) };
}

/** Why a file with neither JPEG's nor TIFF's signature is not an image we take. */
function notAnImageMessage(bytes: Buffer): string {
  const other = otherFormat(bytes);
  const looksText = bytes.subarray(0, 512).every((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127));
  return other
    ? `the content is a ${other} image; drone photos must be JPEG or TIFF`
    : looksText
      ? 'the content is text, not a JPEG or TIFF image'
      : 'the content is not a JPEG or TIFF image (unknown signature)';
}

interface Size {
  readonly width: number;
  readonly height: number;
}

/** The size the header declares, or why the file is refused on it (with the size, where known). */
async function readSize(
  bytes: Buffer,
  format: 'jpeg' | 'tiff',
  maxPixels: number,
): Promise<Size | { refused: QaReason; declared?: Size }> {
  let width: number | undefined;
  let height: number | undefined;
  try {
    const meta = await sharp(bytes, { limitInputPixels: false }).metadata();
    width = meta.width;
    height = meta.height;
  } catch (e) {
    return { refused: { code: 'corrupt', message: `unreadable ${format.toUpperCase()} header: ${message(e)}` } };
  }
  if (!width || !height) return { refused: { code: 'corrupt', message: 'the image header declares no size' } };
  if (width * height > maxPixels) {
    return {
      declared: { width, height },
      refused: {
        code: 'too-large',
        message: `declares ${width}×${height} pixels, above the ${(maxPixels / 1e6).toFixed(0)} MP limit`,
      },
    };
  }
  if (Math.min(width, height) < MIN_SIDE_PX) {
    return {
      declared: { width, height },
      refused: {
        code: 'too-small',
        message: `the image is only ${width}×${height} pixels, too small to map (at least ${MIN_SIDE_PX} px a side)`,
      },
    };
  }
  return { width, height };
}

/** Decodes the whole image (a small rendition of it) and measures exposure and blur, or says why it cannot. */
async function measure(bytes: Buffer, maxPixels: number): Promise<{ metrics: ImageMetrics } | { refused: QaReason }> {
  try {
    // failOn 'warning' turns libvips' "premature end of file" and "corrupt data" warnings into
    // errors: a photo with damaged data must not reach the mosaic.
    const { data, info } = await sharp(bytes, { failOn: 'warning', limitInputPixels: maxPixels })
      .rotate()
      .resize(METRICS_SIZE, METRICS_SIZE, { fit: 'inside', withoutEnlargement: true })
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { metrics: imageMetrics(data, info.width, info.height, info.channels) };
  } catch (e) {
    const text = message(e);
    // "Corrupt JPEG data: premature end of data segment" is damage inside the file, not a cut.
    const truncated =
      !/corrupt/i.test(text) && /premature end|truncated|unexpected end|end of (file|stream)/i.test(text);
    return {
      refused: {
        code: truncated ? 'truncated' : 'corrupt',
        message: truncated ? `the image data is cut short (${text})` : `the image cannot be decoded (${text})`,
      },
    };
  }
}

/** A black or blown-out frame. */
function exposureReason(metrics: ImageMetrics): QaReason | undefined {
  if (metrics.meanLuminance < 12 && metrics.darkFraction > 0.95)
    return { code: 'black', message: `the frame is black (mean luminance ${metrics.meanLuminance.toFixed(1)} of 255)` };
  if (metrics.saturatedFraction > 0.5)
    return {
      code: 'overexposed',
      message: `${(metrics.saturatedFraction * 100).toFixed(0)} % of the frame is clipped white`,
    };
  return undefined;
}

/**
 * Camera, position, attitude and time from the tags; adds a reason for no GPS or an oblique
 * gimbal, and warnings for what is assumed or ignored.
 */
function describe(
  tags: Tags,
  width: number,
  height: number,
  reasons: QaReason[],
  warnings: string[],
): Pick<ImageAnalysis, 'camera' | 'gps' | 'relativeAltitude' | 'gimbal' | 'flight' | 'captureTime' | 'software'> {
  const ifd0 = tags.ifd0 ?? {};
  const exif = tags.exif ?? {};
  const dji = tags['drone-dji'] ?? {};
  const located = gpsPosition(tags.gps);
  const gps = 'position' in located ? located.position : undefined;
  if ('problem' in located) reasons.push({ code: 'no-gps', message: located.problem });

  const gimbal = orientation(dji.GimbalYawDegree, dji.GimbalPitchDegree, dji.GimbalRollDegree);
  const flight = orientation(dji.FlightYawDegree, dji.FlightPitchDegree, dji.FlightRollDegree);
  if (gimbal?.pitch === undefined) {
    warnings.push('no gimbal pitch recorded: assumed to look straight down');
  } else if (Math.abs(gimbal.pitch + 90) > MAX_NADIR_DEVIATION_DEG) {
    reasons.push({
      code: 'not-nadir',
      message: `the gimbal pitch is ${gimbal.pitch.toFixed(1)}°; mapping needs within ${MAX_NADIR_DEVIATION_DEG}° of −90°`,
    });
  }
  const planeResolution = num(exif.FocalPlaneXResolution);
  const planeUnitMm = exif.FocalPlaneResolutionUnit === 3 ? 10 : exif.FocalPlaneResolutionUnit === 4 ? 1 : 25.4;
  const exifWidth = num(exif.ExifImageWidth) ?? width;
  const sensorWidthMm = planeResolution && exifWidth ? (exifWidth / planeResolution) * planeUnitMm : undefined;

  return {
    camera: {
      make: str(ifd0.Make),
      model: str(ifd0.Model),
      focalLengthMm: num(exif.FocalLength),
      focalLength35mm: num(exif.FocalLengthIn35mmFormat),
      ...(sensorWidthMm ? { sensorWidthMm, sensorHeightMm: (sensorWidthMm * height) / width } : {}),
    },
    gps,
    relativeAltitude: num(dji.RelativeAltitude),
    gimbal,
    flight,
    captureTime: captureTime(exif.DateTimeOriginal, warnings),
    software: str(ifd0.Software),
  };
}

type Tags = Record<string, Record<string, unknown> | undefined> & {
  gps?: { latitude?: number; longitude?: number; GPSAltitude?: unknown };
};

async function readTags(bytes: Buffer): Promise<Tags | undefined> {
  // reviveValues off: DateTimeOriginal has no zone and must not be read as UTC.
  return (await exifr.parse(bytes, {
    tiff: true,
    exif: true,
    gps: true,
    xmp: true,
    ifd1: false,
    mergeOutput: false,
    reviveValues: false,
    translateValues: false,
  })) as Tags | undefined;
}

function sniffFormat(bytes: Buffer): 'jpeg' | 'tiff' | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  const sig = bytes.subarray(0, 4).toString('hex');
  if (sig === '49492a00' || sig === '4d4d002a') return 'tiff';
  return undefined;
}

function otherFormat(bytes: Buffer): string | undefined {
  const hex = bytes.subarray(0, 12).toString('hex');
  if (hex.startsWith('89504e47')) return 'PNG';
  if (hex.startsWith('47494638')) return 'GIF';
  if (hex.startsWith('52494646') && bytes.subarray(8, 12).toString('latin1') === 'WEBP') return 'WebP';
  if (bytes.subarray(4, 8).toString('latin1') === 'ftyp') return 'HEIF/AVIF';
  return undefined;
}

function orientation(yaw: unknown, pitch: unknown, roll: unknown): ImageRecord['gimbal'] {
  const o = { yaw: num(yaw), pitch: num(pitch), roll: num(roll) };
  if (o.yaw === undefined && o.pitch === undefined && o.roll === undefined) return undefined;
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

function num(v: unknown): number | undefined {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v.replace(/\0+$/, '').trim() : undefined;
}

/** "2016:06:23 16:31:59" → "2016-06-23T16:31:59" (local time, zone unknown). */
export function exifDate(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(v.trim());
  if (!m) return undefined;
  const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}`;
  // "0000:00:00 00:00:00" (a camera whose clock was never set) and 2026-02-30 match the pattern.
  const date = new Date(`${iso}Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(iso) ? iso : undefined;
}

/** A day of slack: the capture time is local and its zone unknown. */
const FUTURE_SLACK_MS = 24 * 3600 * 1000;

/**
 * The capture time, or undefined with a warning when it cannot be right: not a date, or in the
 * future (a camera clock never set, or set wrong). A wrong time is not a reason to refuse the
 * photo — the map does not need it — but it would mislead the weather and sun records.
 */
function captureTime(v: unknown, warnings: string[]): string | undefined {
  if (v === undefined) return undefined;
  const iso = exifDate(v);
  if (iso === undefined) {
    warnings.push(`the capture time ${JSON.stringify(v)} is not a date; the time is ignored`);
    return undefined;
  }
  if (Date.parse(`${iso}Z`) > Date.now() + FUTURE_SLACK_MS) {
    warnings.push(`the capture time ${iso} is in the future (camera clock wrong?); the time is ignored`);
    return undefined;
  }
  return iso;
}

function message(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!.trim();
}
