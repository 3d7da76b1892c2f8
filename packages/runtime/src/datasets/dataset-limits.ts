import { type EnvironmentConfig } from '@aerial/contracts';

/** Bounds on what a dataset may contain; anything beyond them is refused before it is read. */
export interface DatasetLimits {
  /** Entries (files) in a folder or archive. */
  readonly maxEntries: number;
  /** Bytes of one file once read or unpacked. */
  readonly maxFileBytes: number;
  /** Bytes of all files together once unpacked. */
  readonly maxTotalBytes: number;
  /** Unpacked size over packed size, per archive entry and for the whole archive. */
  readonly maxExpansionRatio: number;
  /** Declared width × height of one image. */
  readonly maxPixels: number;
}

/**
 * JPEGs barely compress inside a zip (ratio ≈ 1); 100 leaves room for TIFFs and sidecars while
 * refusing zip bombs, whose ratios run to thousands.
 */
export function datasetLimits(environment: EnvironmentConfig): DatasetLimits {
  return {
    maxEntries: environment.limits.maxImagesPerJob * 4,
    maxFileBytes: 512 * 1024 * 1024,
    maxTotalBytes: environment.limits.maxUploadBytes,
    maxExpansionRatio: 100,
    maxPixels: 250_000_000,
  };
}
