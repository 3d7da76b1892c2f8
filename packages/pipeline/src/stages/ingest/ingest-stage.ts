import {
  AerialError,
  declaredOutput,
  type ImageRecord,
  keys,
  type PhotoThumbnail,
  type QaReason,
  type QaReasonCode,
  stageOutputKey,
} from '@aerial/contracts';
import { putJson } from '@aerial/runtime';
import { type StageHandler } from '@aerial/runtime';
import { analyzeImage, type ImageAnalysis } from './analyze-image';
import { datasetLimits } from '@aerial/runtime';
import { openDataset } from '@aerial/runtime';
import { datasetQa } from './dataset-qa';
import { photoThumbnail } from './photo-thumbnail';
import { forEachLimited } from '../../concurrency/for-each-limited';
import { round } from '../../numbers/round';

/** Images decoded at once: one per core on these 2-core machines. */
const CONCURRENCY = 2;
export const DEFAULT_MIN_ACCEPTED_IMAGES = 3;
/** Previews of rejected photos kept for the quality report: enough to see what went wrong, a bounded report. */
export const MAX_THUMBNAILS = 200;

/**
 * Ingest: open the dataset defensively, check and measure every file, store the accepted
 * originals under `jobs/<id>/Ingest/images/`, and record a verdict for every file. Holds one or
 * two images in memory at a time.
 */
export const ingestStage: StageHandler = async (invocation, context) => {
  const { store, request } = context;
  const limits = datasetLimits(context.environment);
  const stagePrefix = keys.stage(invocation.jobId, 'Ingest');
  const dataset = await openDataset(request.source, context.uploads, limits);
  try {
    if (dataset.entries.length === 0) {
      throw new AerialError(
        'Aerial.InvalidInput',
        'the dataset contains no files',
        'upload a folder or archive of drone photos',
      );
    }
    // Idempotence: a rerun must not leave images accepted by an earlier attempt behind.
    for await (const old of store.list(`${stagePrefix}/images/`)) await store.delete(old.key);

    const results: { name: string; bytes: number; analysis: ImageAnalysis }[] = new Array(dataset.entries.length);
    const usedKeys = new Set<string>();
    let done = 0;
    await forEachLimited(dataset.entries.length, CONCURRENCY, async (index) => {
      context.signal.throwIfAborted();
      const entry = dataset.entries[index]!;
      const name = entry.name ?? entry.displayName;
      let analysis: ImageAnalysis;
      if (entry.refusal) analysis = rejected(entry.refusal.code, entry.refusal.message);
      else if (entry.name === undefined)
        analysis = rejected('unsafe-name', 'the file name is not valid UTF-8; rename the file');
      else if (entry.bytes > limits.maxFileBytes)
        analysis = rejected('too-large', `the file is ${(entry.bytes / 1e6).toFixed(0)} MB, above the per-file limit`);
      else {
        try {
          analysis = await analyzeImage(await entry.read(), limits.maxPixels);
        } catch (e) {
          analysis = rejected('corrupt', e instanceof Error ? e.message : String(e));
        }
      }
      results[index] = { name, bytes: entry.bytes, analysis };
      done++;
      context.progress((done / dataset.entries.length) * 90, `checked ${done}/${dataset.entries.length} files`);
    });

    const extra = datasetQa(results.map((r) => ({ name: r.name, analysis: r.analysis })));
    const records: ImageRecord[] = [];
    const copies: { index: number; key: string }[] = [];
    for (const [i, r] of results.entries()) {
      const reasons = [...r.analysis.reasons, ...extra[i]!];
      // Keys are given in file order (the same on every run); the copies run side by side below.
      const key =
        reasons.length === 0 ? uniqueKey(`${stagePrefix}/images/${safeKeyPart(r.name)}`, usedKeys) : undefined;
      if (key) copies.push({ index: i, key });
      records.push(toRecord(r.name, r.bytes, key, r.analysis, reasons));
    }
    await forEachLimited(copies.length, CONCURRENCY, async (k) => {
      context.signal.throwIfAborted();
      const { index, key } = copies[k]!;
      // Re-read rather than keep every accepted image in memory since its analysis.
      const body = await dataset.entries[index]!.read();
      await store.put(key, body, {
        contentType: results[index]!.analysis.format === 'tiff' ? 'image/tiff' : 'image/jpeg',
        metadata: { sha256: results[index]!.analysis.sha256 },
      });
    });
    // Rejected originals are not stored: their previews for the quality report are made now.
    const previews: PhotoThumbnail[] = [];
    const unstored = records
      .flatMap((r, index) => (r.qa.accepted || results[index]!.analysis.unread ? [] : [index]))
      .slice(0, MAX_THUMBNAILS);
    await forEachLimited(unstored.length, CONCURRENCY, async (k) => {
      context.signal.throwIfAborted();
      const index = unstored[k]!;
      const preview = await photoThumbnail(await dataset.entries[index]!.read(), limits.maxPixels);
      if (preview) previews.push({ image: records[index]!.name, ...preview });
    });
    previews.sort((a, b) => (a.image < b.image ? -1 : a.image > b.image ? 1 : 0));
    context.progress(98, 'writing image records');
    const recordsKey = stageOutputKey(invocation.jobId, 'Ingest', 'image-records');
    const info = await putJson(store, recordsKey, records);
    const thumbnailsKey = stageOutputKey(invocation.jobId, 'Ingest', 'thumbnails');
    const thumbnailsInfo = await putJson(store, thumbnailsKey, previews);

    const accepted = records.filter((r) => r.qa.accepted);
    const reasonCounts: Partial<Record<QaReasonCode, number>> = {};
    for (const r of records)
      for (const reason of r.qa.reasons) reasonCounts[reason.code] = (reasonCounts[reason.code] ?? 0) + 1;
    const minimum = request.options.minAcceptedImages ?? DEFAULT_MIN_ACCEPTED_IMAGES;
    if (accepted.length < minimum) {
      const why = Object.entries(reasonCounts)
        .map(([code, n]) => `${n} ${code}`)
        .join(', ');
      throw new AerialError(
        'Aerial.QualityRejected',
        `only ${accepted.length} of ${records.length} files passed quality checks, fewer than the ${minimum} needed (${why || 'no reasons'})`,
        `see ${recordsKey} for the reason per file`,
      );
    }
    return {
      outputs: [
        declaredOutput('Ingest', 'image-records', { key: recordsKey, bytes: info.bytes }),
        declaredOutput('Ingest', 'thumbnails', { key: thumbnailsKey, bytes: thumbnailsInfo.bytes }),
      ],
      summary: {
        files: records.length,
        accepted: accepted.length,
        rejected: records.length - accepted.length,
        reasons: reasonCounts,
      },
    };
  } finally {
    await dataset.close();
  }
};

function rejected(code: QaReasonCode, message: string): ImageAnalysis {
  return { sha256: '0'.repeat(64), unread: true, camera: {}, reasons: [{ code, message }], warnings: [] };
}

function toRecord(
  name: string,
  bytes: number,
  key: string | undefined,
  a: ImageAnalysis,
  reasons: QaReason[],
): ImageRecord {
  return {
    name,
    ...(key ? { key } : {}),
    bytes,
    sha256: a.sha256,
    format: a.format,
    width: a.width,
    height: a.height,
    camera: a.camera,
    gps: a.gps,
    relativeAltitude: a.relativeAltitude,
    gimbal: a.gimbal,
    flight: a.flight,
    captureTime: a.captureTime,
    software: a.software,
    qa: {
      accepted: reasons.length === 0,
      reasons,
      warnings: a.warnings,
      metrics: a.metrics
        ? {
            meanLuminance: round(a.metrics.meanLuminance, 2),
            saturatedFraction: round(a.metrics.saturatedFraction, 5),
            laplacianVariance: round(a.metrics.laplacianVariance, 1),
          }
        : {},
    },
  };
}

/** Keeps names readable in keys while refusing anything outside a safe alphabet. */
export function safeKeyPart(name: string): string {
  const cleaned = name
    .split('/')
    .map((part) =>
      part
        .normalize('NFKD')
        .replace(/[^A-Za-z0-9._-]+/g, '_')
        .replace(/^\.+/, '_'),
    )
    .filter((part) => part.length > 0)
    .join('/');
  return cleaned || 'image';
}

function uniqueKey(key: string, used: Set<string>): string {
  let candidate = key;
  for (let n = 2; used.has(candidate); n++) candidate = key.replace(/(\.[^./]+)?$/, `-${n}$1`);
  used.add(candidate);
  return candidate;
}
