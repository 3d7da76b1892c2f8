import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Raster {
  readonly width: number;
  readonly height: number;
  /** RGB, row by row. */
  readonly rgb: Buffer;
}

/**
 * The PDF's first page as poppler's `pdftoppm` renders it (a PPM, parsed here): proof that a
 * common reader opens the file, and pixels to check. Throws when pdftoppm refuses the file.
 */
export function firstPage(pdf: Buffer, dpi = 50): Raster {
  const dir = mkdtempSync(join(tmpdir(), 'aerial-pdf-'));
  try {
    writeFileSync(join(dir, 'report.pdf'), pdf);
    execFileSync(
      'pdftoppm',
      ['-r', String(dpi), '-f', '1', '-l', '1', '-singlefile', join(dir, 'report.pdf'), join(dir, 'page')],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    return parsePpm(readFileSync(join(dir, 'page.ppm')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** pdftoppm's output: `P6 <width> <height> 255`, then the RGB bytes. */
export function parsePpm(ppm: Buffer): Raster {
  const header = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(ppm.subarray(0, 50).toString('latin1'));
  if (!header) throw new Error('not a binary PPM');
  const width = Number(header[1]);
  const height = Number(header[2]);
  return { width, height, rgb: ppm.subarray(header[0].length, header[0].length + width * height * 3) };
}

/** Pixels within `tolerance` of a colour (`#rrggbb`). */
export function pixelsNear(raster: Raster, hex: string, tolerance = 24): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
  let n = 0;
  for (let i = 0; i < raster.rgb.length; i += 3)
    if (
      Math.abs(raster.rgb[i]! - r) <= tolerance &&
      Math.abs(raster.rgb[i + 1]! - g) <= tolerance &&
      Math.abs(raster.rgb[i + 2]! - b) <= tolerance
    )
      n++;
  return n;
}
