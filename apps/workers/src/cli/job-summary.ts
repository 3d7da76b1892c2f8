import {
  type FootprintsSummary,
  type ImageRecord,
  ImageRecordSchema,
  keys,
  type StageManifest,
  StageManifestSchema,
  type StageName,
  STAGE_NAMES,
  stageOutputKey,
  type StageSummary,
  summaryIfValid,
} from '@aerial/contracts';
import { type ExecutionRecord } from '@aerial/pipeline';
import { getJson, type ObjectStore } from '@aerial/runtime';
import { z } from 'zod';

/** Renders a finished job for a terminal: verdict per image, footprint figures, outputs. */
export async function jobSummary(store: ObjectStore, jobId: string, execution: ExecutionRecord): Promise<string> {
  const lines: string[] = [];
  const seconds = execution.stopDate
    ? (Date.parse(execution.stopDate) - Date.parse(execution.startDate)) / 1000
    : undefined;
  lines.push(`Job ${jobId}: ${execution.status}${seconds !== undefined ? ` in ${seconds.toFixed(1)} s` : ''}`);
  if (execution.status !== 'SUCCEEDED' && execution.error) lines.push(`  ${execution.error}: ${execution.cause ?? ''}`);

  const manifests = new Map<StageName, StageManifest>();
  for (const stage of STAGE_NAMES) {
    const key = keys.manifest(jobId, stage);
    if (!(await store.head(key))) continue;
    const parsed = StageManifestSchema.safeParse(await getJson(store, key));
    if (parsed.success) manifests.set(stage, parsed.data);
  }

  // A summary of each stage that ran, typed by its schema (undefined for one of another shape).
  const summaryOf = <S extends StageName>(stage: S): StageSummary<S> | undefined =>
    summaryIfValid(stage, manifests.get(stage)?.summary);
  // By key: a dataset Ingest rejected has records and no manifest.
  const recordsKey = stageOutputKey(jobId, 'Ingest', 'image-records');
  if (await store.head(recordsKey)) {
    const records = z.array(ImageRecordSchema).parse(await getJson(store, recordsKey));
    lines.push('', imagesTable(records));
  }
  const footprints = summaryOf('Footprints');
  if (footprints) {
    const pct = (v: { median: number; min: number; max: number } | null) =>
      v ? `${(v.median * 100).toFixed(0)} % (${(v.min * 100).toFixed(0)}–${(v.max * 100).toFixed(0)} %)` : 'n/a';
    lines.push(
      '',
      `Footprints: ${footprints.images} images, GSD ${footprints.gsdCm.median.toFixed(2)} cm/px (${footprints.gsdCm.min.toFixed(2)}–${footprints.gsdCm.max.toFixed(2)})`,
      `  forward overlap ${pct(footprints.forwardOverlap)}, side overlap ${pct(footprints.sideOverlap)}`,
      `  ${placementLine(footprints)}`,
      ...footprints.skipped.map((s) => `  left out ${s.image}: ${s.reason}`),
    );
  }
  const sfm = summaryOf('SfM');
  if (sfm) {
    const gps = sfm.gpsAlignmentErrorM ? `, GPS alignment ${sfm.gpsAlignmentErrorM.mean.toFixed(2)} m` : '';
    lines.push(
      '',
      `SfM: registered ${sfm.registered}/${sfm.images} images, ${sfm.points} points, reprojection ${sfm.meanReprojectionErrorPx?.toFixed(2) ?? 'n/a'} px${gps}`,
    );
  }
  const splat = summaryOf('Splat');
  const sog = summaryOf('Compress');
  if (splat) {
    lines.push(
      `Splats: ${splat.splats} ${splat.trained ? 'trained' : 'UNTRAINED (initialisation only: no GPU trainer configured)'}` +
        (sog ? `, SOG ${(sog.sogBytes / 1024).toFixed(0)} KiB (${sog.ratio}× smaller than PLY)` : ''),
    );
  }
  const mosaic = summaryOf('Orthomosaic');
  if (mosaic) {
    lines.push(
      '',
      `Orthomosaic: ${mosaic.registered}/${mosaic.images} images registered, ${mosaic.widthPx}×${mosaic.heightPx} px at ${mosaic.gsdCm.toFixed(2)} cm/px (${mosaic.crs}), matched points agree to ${mosaic.rmsResidualPx.toFixed(1)} px RMS`,
      ...(mosaic.yawFlagged.length
        ? [
            `  recorded yaw disagrees with the pixels by > 90° (placed from the pixels): ${mosaic.yawFlagged.join(', ')}`,
          ]
        : []),
    );
  }
  const tiles = summaryOf('Tiles');
  if (tiles) lines.push(`Tiles: ${tiles.tiles} tiles, zoom ${tiles.minZoom}–${tiles.maxZoom}`);
  const published = summaryOf('Publish');
  const outputs = [...manifests.values()].flatMap((m) => m.outputs.map((o) => ({ ...o, stage: m.stage })));
  if (outputs.length) {
    const baseOf = (location: string) =>
      location.startsWith('file:') ? `${location.slice('file:'.length)}/` : `${location}/`;
    const base = baseOf(store.location);
    // Publish writes to the published store (PUBLISHED_STORE), the work store unless configured.
    const publishedBase = baseOf(published?.location ?? store.location);
    lines.push(
      '',
      'Outputs:',
      ...outputs.map((o) => `  ${o.role.padEnd(20)} ${o.stage === 'Publish' ? publishedBase : base}${o.key}`),
    );
    if (published) {
      const root = `${publishedBase}${published.prefix}`;
      lines.push(
        '',
        `Published (${published.objects} objects): ${root}/`,
        `  open ${root}/preview.png for a look, or ${root}/orthomosaic.tif in QGIS`,
      );
    }
  }
  return lines.join('\n');
}

/** How the photos were placed and where their height came from, in one line. */
function placementLine(f: FootprintsSummary): string {
  const placed =
    f.placedFrom === 'photos'
      ? `placed from the photos (${f.registered}/${f.images} matched, fitted to GPS)`
      : `placed from DJI metadata, refined by ${f.registered}/${f.images} matched`;
  const sources = Object.entries(f.heightSources)
    .map(([source, count]) => `${source.replace(/-/g, ' ')} ${count}`)
    .join(', ');
  const height = f.heightAboveGroundM
    ? `height ${f.heightAboveGroundM.median.toFixed(1)} m (${f.heightAboveGroundM.min.toFixed(1)}–${f.heightAboveGroundM.max.toFixed(1)}; ${sources})`
    : `height unknown (${sources})`;
  const mount = f.cameraMountDeg !== undefined ? `, camera at ${f.cameraMountDeg.toFixed(0)}° to the track` : '';
  return `${placed}; ${height}${mount}`;
}

function imagesTable(records: ImageRecord[]): string {
  const accepted = records.filter((r) => r.qa.accepted).length;
  const width = Math.min(40, Math.max(12, ...records.map((r) => r.name.length)));
  const rows = records.map((r) => {
    const verdict = r.qa.accepted ? 'accepted' : 'rejected';
    const why = r.qa.reasons.map((x) => `${x.code}: ${x.message}`).join('; ');
    return `  ${r.name.slice(0, width).padEnd(width)}  ${verdict.padEnd(8)}  ${why}`;
  });
  return [
    `Images: ${records.length} files, ${accepted} accepted, ${records.length - accepted} rejected`,
    `  ${'file'.padEnd(width)}  verdict   reason`,
    ...rows,
  ].join('\n');
}
