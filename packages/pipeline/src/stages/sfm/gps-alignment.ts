import { AerialError } from '@aerial/contracts';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runColmap } from './colmap-runner';

/** A reference position per image COLMAP names (`<name> <lat> <lon> <alt>`). */
export interface GpsReference {
  readonly name: string;
  readonly latitude: number;
  readonly longitude: number;
  readonly altitude: number;
}

/**
 * Aligns `sparse/0` in `work` to the images' GPS in an ENU frame (robustly, 3 m), then writes it as
 * TXT (`txt/`) and PLY (`points.ply`). Returns COLMAP's alignment error and its model analysis.
 */
export async function alignToGps(
  work: string,
  references: readonly GpsReference[],
  signal: AbortSignal,
  /** The COLMAP executable. @default colmap on PATH */
  binary?: string,
): Promise<{ alignmentErrorM: { mean: number; median: number } | null; analysis: string }> {
  await writeFile(
    join(work, 'gps.txt'),
    references.map((r) => `${r.name} ${r.latitude} ${r.longitude} ${r.altitude}`).join('\n'),
  );
  await mkdir(join(work, 'aligned'));
  const aligned = await runColmap(
    'model_aligner',
    [
      '--input_path',
      'sparse/0',
      '--output_path',
      'aligned',
      '--ref_images_path',
      'gps.txt',
      '--ref_is_gps',
      '1',
      '--alignment_type',
      'enu',
      '--robust_alignment',
      '1',
      '--robust_alignment_max_error',
      '3',
    ],
    { cwd: work, signal, binary },
  ).catch((e: unknown) => {
    throw new AerialError(
      'Aerial.QualityRejected',
      `the reconstruction could not be aligned to GPS: ${(e as Error).message}`,
    );
  });
  const alignment = /Alignment error: ([\d.]+) \(mean\), ([\d.]+) \(median\)/.exec(aligned);
  await mkdir(join(work, 'txt'));
  await runColmap('model_converter', ['--input_path', 'aligned', '--output_path', 'txt', '--output_type', 'TXT'], {
    cwd: work,
    signal,
    binary,
  });
  await runColmap(
    'model_converter',
    ['--input_path', 'aligned', '--output_path', 'points.ply', '--output_type', 'PLY'],
    { cwd: work, signal, binary },
  );
  const analysis = await runColmap('model_analyzer', ['--path', 'aligned'], { cwd: work, signal, binary });
  return {
    alignmentErrorM: alignment ? { mean: Number(alignment[1]), median: Number(alignment[2]) } : null,
    analysis,
  };
}
