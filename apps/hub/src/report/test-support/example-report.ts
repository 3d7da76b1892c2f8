import { type QualityReportView, QualityReportViewSchema } from '@aerial/contracts';
import { coverageGrid } from '@aerial/runtime';

/** A 24 × 16 px JPEG (a flat blue), as Ingest stores a rejected photo's preview. */
export const TINY_JPEG =
  'data:image/jpeg;base64,/9j/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAAQABgDASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAX/xAAUEAEAAAAAAAAAAAAAAAAAAAAA/8QAFgEBAQEAAAAAAAAAAAAAAAAAAAQF/8QAFBEBAAAAAAAAAAAAAAAAAAAAAP/aAAwDAQACEQMRAD8AkANRAAA//9k=';

/** A square footprint of `sizeDeg` with its south-west corner at (lon, lat), closed. */
const square = (lon: number, lat: number, sizeDeg: number): [number, number][] => [
  [lon, lat],
  [lon + sizeDeg, lat],
  [lon + sizeDeg, lat + sizeDeg],
  [lon, lat + sizeDeg],
  [lon, lat],
];

/** A full job's report (map and 3D) of three overlapping photos and two rejected ones, as the Hub serves it. */
export function exampleReportView(): QualityReportView {
  const rings = [square(0, 51, 0.0004), square(0.0002, 51, 0.0004), square(0.0001, 51.0002, 0.0004)];
  return QualityReportViewSchema.parse({
    version: 1,
    jobId: 'job-example-1',
    stages: ['Ingest', 'Footprints', 'SfM', 'Orthomosaic', 'Tiles', 'Splat', 'Compress'],
    photos: { files: 5, accepted: 3, rejected: 2 },
    camera: {
      make: 'DJI',
      model: 'FC300S',
      widthPx: 4000,
      heightPx: 2250,
      focalLengthMm: 3.61,
      focalLength35mm: 20,
      otherCameras: 0,
    },
    flight: {
      captured: ['2026:01:02 09:58:00', '2026:01:02 10:04:00'],
      heightAboveGroundM: { median: 40, min: 39.5, max: 40.4 },
      heightSources: { 'relative-altitude': 3 },
      forwardOverlap: { median: 0.64, min: 0.63, max: 0.65 },
      sideOverlap: { median: 0.6, min: 0.58, max: 0.63 },
      bbox: [0, 51, 0.0006, 51.0006],
    },
    gsd: {
      cm: { median: 1.7, min: 1.68, max: 1.73 },
      mosaicCm: 1.75,
      perPhoto: ['A.JPG', 'B.JPG', 'C.JPG'].map((image, k) => ({ image, gsdCm: 1.68 + k * 0.02 })),
    },
    registration: {
      placedFrom: 'metadata',
      pairs: 3,
      candidatePairs: 3,
      rmsResidualPx: 0.42,
      perPhoto: [
        { image: 'A.JPG', registered: true, pairs: 2, residualPx: 0.4 },
        { image: 'B.JPG', registered: true, pairs: 2, residualPx: 0.45, yawDisagreementDeg: 1.2 },
        { image: 'C.JPG', registered: false, pairs: 0, residualPx: null },
      ],
      mosaic: { placedFrom: 'sfm', rmsResidualPx: 0.5, yawFlagged: [] },
      sfm: {
        registered: 2,
        images: 3,
        points: 1500,
        meanReprojectionErrorPx: 0.61,
        gpsAlignmentErrorM: { mean: 0.4, median: 0.35 },
        perPhoto: [
          { image: 'A.JPG', registered: true, reprojectionErrorPx: 0.58 },
          { image: 'B.JPG', registered: true, reprojectionErrorPx: 0.64 },
          { image: 'C.JPG', registered: false, reprojectionErrorPx: null },
        ],
      },
    },
    coverage: {
      footprints: ['A.JPG', 'B.JPG', 'C.JPG'].map((image, k) => ({ image, ring: rings[k] })),
      grid: coverageGrid(rings),
    },
    rejected: [
      {
        image: 'DARK.JPG',
        stage: 'Ingest',
        reasons: [{ code: 'black', message: 'the photo is black' }],
        thumbnail: { dataUrl: TINY_JPEG, width: 24, height: 16 },
      },
      {
        image: 'notes.txt',
        stage: 'Ingest',
        reasons: [{ code: 'not-an-image', message: 'not a JPEG or TIFF' }],
        thumbnail: null,
      },
    ],
    products: {
      orthomosaic: { widthPx: 2000, heightPx: 1800, gsdCm: 1.75, bytes: 3_400_000 },
      tiles: { tiles: 120, minZoom: 14, maxZoom: 22 },
      splats: { splats: 100_000, trained: false, sogBytes: 1_160_000 },
    },
    source: 'published',
    timing: [
      {
        stage: 'Ingest',
        startedAt: '2026-01-02T09:59:00.000Z',
        finishedAt: '2026-01-02T09:59:04.500Z',
        seconds: 4.5,
        attempts: 1,
        outcome: 'succeeded',
      },
    ],
  });
}
