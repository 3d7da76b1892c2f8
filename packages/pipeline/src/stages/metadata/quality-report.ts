import { AerialError, type EnvironmentConfig, type QualityReport } from '@aerial/contracts';
import { composeQualityReport, datasetLimits, type ObjectStore } from '@aerial/runtime';
import { photoThumbnail } from '../ingest/photo-thumbnail';

/**
 * The job's quality report, published with its products: composed from the stages' summaries and
 * outputs, with previews of the photos the Footprints stage left out made from their stored
 * originals (Ingest made those of the photos it rejected).
 */
export async function qualityReport(
  store: ObjectStore,
  jobId: string,
  environment: EnvironmentConfig,
): Promise<QualityReport> {
  const { maxPixels } = datasetLimits(environment);
  const report = await composeQualityReport(store, jobId, {
    thumbnail: async (record) => photoThumbnail(await store.get(record.key), maxPixels),
  });
  if (!report)
    throw new AerialError('Aerial.InvalidInput', `job ${jobId} has no image records to report on`, 'rerun Ingest');
  return report;
}
