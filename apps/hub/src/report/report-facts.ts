// Shared by the PDF (server) and the page (bundled by Vite): type imports only, no Node or DOM.
import type { QualityReportView } from '@aerial/contracts';

export interface FactSection {
  readonly title: string;
  readonly rows: readonly (readonly [string, string])[];
}

/** Photos over a cell → its colour on the overlap map (OpenDroneMap's convention: red is thin). */
export function overlapColour(count: number): string {
  if (count <= 0) return '#ffffff';
  if (count === 1) return '#d7301f';
  if (count === 2) return '#fc8d59';
  if (count <= 4) return '#fdcc8a';
  return '#78c679';
}

export const OVERLAP_LEGEND: readonly { readonly label: string; readonly colour: string }[] = [
  { label: '1 photo', colour: overlapColour(1) },
  { label: '2', colour: overlapColour(2) },
  { label: '3–4', colour: overlapColour(3) },
  { label: '5 or more', colour: overlapColour(5) },
];

const spread = (s: { median: number; min: number; max: number } | null, unit: string, digits = 2, scale = 1) =>
  s
    ? `${(s.median * scale).toFixed(digits)} ${unit} (${(s.min * scale).toFixed(digits)}–${(s.max * scale).toFixed(digits)})`
    : 'not measured';

const bytes = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${(n / 1e3).toFixed(0)} kB`);

/** The report's figures as labelled rows, grouped: the page and the PDF show the same words. */
export function factSections(report: QualityReportView): FactSection[] {
  const sections: FactSection[] = [];
  const { photos, camera, flight, gsd, registration, products } = report;
  sections.push({
    title: 'Photos',
    rows: [
      ['Files', String(photos.files)],
      ['Used', String(photos.accepted)],
      ['Left out', String(photos.rejected)],
    ],
  });
  if (camera)
    sections.push({
      title: 'Camera',
      rows: [
        ['Camera', [camera.make, camera.model].filter(Boolean).join(' ') || 'unknown'],
        ['Image size', camera.widthPx && camera.heightPx ? `${camera.widthPx} × ${camera.heightPx} px` : 'unknown'],
        [
          'Focal length',
          camera.focalLengthMm
            ? `${camera.focalLengthMm} mm${camera.focalLength35mm ? ` (${camera.focalLength35mm} mm in 35 mm terms)` : ''}`
            : 'unknown',
        ],
        ['Other cameras or sizes', String(camera.otherCameras)],
      ],
    });
  sections.push({
    title: 'Flight',
    rows: [
      ['Captured', flight.captured ? `${flight.captured[0]} to ${flight.captured[1]} (camera time)` : 'unknown'],
      ['Height above ground', spread(flight.heightAboveGroundM, 'm', 1)],
      [
        'Height from',
        Object.entries(flight.heightSources)
          .map(([source, n]) => `${source}: ${n}`)
          .join(', ') || 'unknown',
      ],
      ['Forward overlap', spread(flight.forwardOverlap, '%', 0, 100)],
      ['Side overlap', spread(flight.sideOverlap, '%', 0, 100)],
    ],
  });
  if (gsd)
    sections.push({
      title: 'Ground sample distance',
      rows: [
        ['Per photo', spread(gsd.cm, 'cm/px')],
        ['Orthomosaic', gsd.mosaicCm === null ? 'not made' : `${gsd.mosaicCm.toFixed(2)} cm/px`],
      ],
    });
  if (registration) {
    const rows: [string, string][] = [
      [
        'Placed from',
        registration.placedFrom === 'metadata' ? 'camera metadata, refined by matches' : 'matched photos and GPS',
      ],
      ['Matched pairs', `${registration.pairs} of ${registration.candidatePairs} candidates`],
      ['RMS residual', `${registration.rmsResidualPx.toFixed(3)} px`],
    ];
    if (registration.mosaic)
      rows.push(
        ['Mosaic placed from', registration.mosaic.placedFrom],
        ['Mosaic RMS residual', `${registration.mosaic.rmsResidualPx.toFixed(3)} px`],
        ['Yaw flagged', registration.mosaic.yawFlagged.join(', ') || 'none'],
      );
    if (registration.sfm)
      rows.push(
        [
          'SfM registered',
          `${registration.sfm.registered} of ${registration.sfm.images} photos, ${registration.sfm.points} points`,
        ],
        [
          'SfM reprojection error',
          registration.sfm.meanReprojectionErrorPx === null
            ? 'not reported'
            : `${registration.sfm.meanReprojectionErrorPx.toFixed(2)} px`,
        ],
        [
          'SfM GPS alignment',
          registration.sfm.gpsAlignmentErrorM
            ? `${registration.sfm.gpsAlignmentErrorM.mean.toFixed(2)} m mean`
            : 'not aligned',
        ],
      );
    sections.push({ title: 'Registration', rows });
  }
  const made: [string, string][] = [];
  if (products.orthomosaic)
    made.push([
      'Orthomosaic',
      `${products.orthomosaic.widthPx} × ${products.orthomosaic.heightPx} px at ${products.orthomosaic.gsdCm.toFixed(2)} cm/px, ${bytes(products.orthomosaic.bytes)}`,
    ]);
  if (products.tiles)
    made.push(['Map tiles', `${products.tiles.tiles} tiles, zoom ${products.tiles.minZoom}–${products.tiles.maxZoom}`]);
  if (products.splats)
    made.push([
      '3D splats',
      `${products.splats.splats} splats, ${products.splats.trained ? 'trained' : 'untrained initialisation'}${products.splats.sogBytes === null ? '' : `, SOG ${bytes(products.splats.sogBytes)}`}`,
    ]);
  if (made.length) sections.push({ title: 'Products', rows: made });
  return sections;
}
