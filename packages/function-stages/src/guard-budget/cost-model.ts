import { type StageName } from '@aerial/contracts';

/**
 * Prices and work rates behind a job's cost estimate. Rates are seconds of one vCPU (or one GPU
 * for Splat) per megapixel of input photos, from the timings in shared/design/FINDINGS.md on these
 * machines (decode ≈ 0.01 s/MP, COLMAP ≈ 0.9 s/MP at 1600 px, mosaic and tiles ≈ 1 s/MP together)
 * with headroom; prices are eu-west-1 spot-level list prices. An estimate, not a bill: it exists
 * to stop a job that would blow the budget before it starts.
 */
export interface CostModel {
  readonly vcpuHourUsd: number;
  readonly gpuHourUsd: number;
  readonly storageGbMonthUsd: number;
  /** Orchestration, function calls and requests per job. */
  readonly perJobUsd: number;
  readonly secondsPerMegapixel: Partial<Record<StageName, number>>;
  readonly gpuStages: readonly StageName[];
  /** JPEG photos average about this many bytes per pixel; used to estimate megapixels from sizes. */
  readonly bytesPerPixel: number;
}

export const DEFAULT_COST_MODEL: CostModel = {
  vcpuHourUsd: 0.04,
  gpuHourUsd: 1.0,
  storageGbMonthUsd: 0.023,
  perJobUsd: 0.05,
  secondsPerMegapixel: {
    Ingest: 0.02,
    Footprints: 0.002,
    Orthomosaic: 0.6,
    Tiles: 0.4,
    SfM: 1.2,
    Splat: 2.0,
    Compress: 0.2,
    Metadata: 0.01,
    Publish: 0.02,
  },
  gpuStages: ['Splat'],
  bytesPerPixel: 0.45,
};

export interface CostEstimate {
  readonly images: number;
  readonly megapixels: number;
  readonly usd: number;
  readonly perStageUsd: Partial<Record<StageName, number>>;
}

/** Estimated cost of running `stages` on `images` photos totalling `bytes`. */
export function estimateCost(
  model: CostModel,
  stages: readonly StageName[],
  images: number,
  bytes: number,
  retentionDays: number,
): CostEstimate {
  const megapixels = bytes / model.bytesPerPixel / 1e6;
  const perStageUsd: Partial<Record<StageName, number>> = {};
  let usd = model.perJobUsd;
  for (const stage of stages) {
    const seconds = (model.secondsPerMegapixel[stage] ?? 0) * megapixels;
    const rate = model.gpuStages.includes(stage) ? model.gpuHourUsd : model.vcpuHourUsd;
    const cost = (seconds / 3600) * rate;
    perStageUsd[stage] = round(cost);
    usd += cost;
  }
  // Uploads, originals and work products held for the retention period: about 3× the input.
  usd += ((3 * bytes) / 1e9) * model.storageGbMonthUsd * (retentionDays / 30);
  return { images, megapixels: Math.round(megapixels * 10) / 10, usd: round(usd), perStageUsd };
}

function round(usd: number): number {
  return Math.round(usd * 10_000) / 10_000;
}
