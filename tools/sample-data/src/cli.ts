#!/usr/bin/env node
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateSurvey } from './generate-survey';

const USAGE = `usage: aerial-sample-data [--out DIR] [--altitude M] [--area WxH] [--overlap F,S] [--size WxH]
                          [--gps-noise M] [--yaw-noise DEG] [--seed N]

Renders a synthetic drone survey (JPEG photos with GPS, EXIF and DJI XMP) and its ground truth.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: '.aerial/sample-survey' },
      altitude: { type: 'string', default: '60' },
      area: { type: 'string', default: '100x80' },
      overlap: { type: 'string', default: '0.7,0.6' },
      size: { type: 'string', default: '1600x1200' },
      'gps-noise': { type: 'string', default: '0' },
      'yaw-noise': { type: 'string', default: '0' },
      seed: { type: 'string', default: '1' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const pair = (text: string, sep: string, what: string): [number, number] => {
    const parts = text.split(sep).map(Number);
    if (parts.length !== 2 || parts.some((n) => !Number.isFinite(n) || n <= 0))
      throw new Error(`--${what} must look like 100${sep}80`);
    return parts as [number, number];
  };
  const number = (text: string, what: string) => {
    const n = Number(text);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${what} must be a number ≥ 0`);
    return n;
  };
  const [areaWidthM, areaHeightM] = pair(values.area, 'x', 'area');
  const [forwardOverlap, sideOverlap] = pair(values.overlap, ',', 'overlap');
  const [widthPx, heightPx] = pair(values.size, 'x', 'size');
  const outDir = resolve(values.out);
  const truth = await generateSurvey({
    outDir,
    altitudeM: number(values.altitude, 'altitude'),
    areaWidthM,
    areaHeightM,
    forwardOverlap,
    sideOverlap,
    widthPx,
    heightPx,
    gpsNoiseM: number(values['gps-noise'], 'gps-noise'),
    yawNoiseDeg: number(values['yaw-noise'], 'yaw-noise'),
    seed: Math.round(number(values.seed, 'seed')),
    onProgress: (done, total) => {
      const width = 30;
      const filled = Math.round((done / total) * width);
      process.stderr.write(`\rrendering [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
    },
  });
  process.stderr.write('\n');
  process.stdout.write(
    `${truth.photos.length} photos, GSD ${truth.gsdCm.toFixed(2)} cm/px, in ${outDir}/images (ground truth: ${outDir}/ground-truth.json)\n`,
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`aerial-sample-data: ${(e as Error).message}\n`);
  process.exit(1);
});
