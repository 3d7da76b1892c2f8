import {
  type QualityReport,
  QualityReportSchema,
  type QualityReportView,
  QualityReportViewSchema,
} from '@aerial/contracts';
import { composeQualityReport, getJson, type ObjectStore } from '@aerial/runtime';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { EventsRepository } from '../../db/events-repository';
import type { Publications } from '../../products/publications';
import { reportPdf } from '../../report/report-pdf';
import { stageTiming } from '../../report/stage-timing';
import { ErrorBodySchema, notFound } from '../errors';
import { JobParams } from './params';

export interface QualityReportRoutesOptions {
  /** The work store: stage outputs, for a job without a published report (survey and 3D presets, failed jobs). */
  readonly store: ObjectStore;
  /** Where Publish wrote the products. */
  readonly published: ObjectStore;
  readonly publications: Publications;
  readonly events: Pick<EventsRepository, 'events'>;
}

/** A job's quality report as JSON and as a PDF, with the timing per stage from its events. */
export const qualityReportRoutes: FastifyPluginAsync<QualityReportRoutesOptions> = async (plain, options) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();

  app.get(
    '/api/jobs/:jobId/report',
    {
      schema: {
        summary:
          "A job's quality report: coverage and overlap, GSD, registration residuals, rejected photos, camera, flight and timing per stage",
        tags: ['products'],
        params: JobParams,
        response: { 200: QualityReportViewSchema, 404: ErrorBodySchema },
      },
    },
    async (request) => reportView(options, request.params.jobId),
  );

  app.get(
    '/api/jobs/:jobId/report.pdf',
    {
      schema: {
        summary: "A job's quality report as a PDF",
        tags: ['products'],
        params: JobParams,
        produces: ['application/pdf'],
      },
    },
    async (request, reply) => {
      const view = await reportView(options, request.params.jobId);
      const pdf = await reportPdf(view);
      return reply
        .type('application/pdf')
        .header('content-disposition', `attachment; filename="${view.jobId}-quality-report.pdf"`)
        .send(pdf);
    },
  );
};

/** The published report when the job has one, else one composed from its stage outputs; plus timing. */
async function reportView(options: QualityReportRoutesOptions, jobId: string): Promise<QualityReportView> {
  const published = await publishedReport(options, jobId);
  const report = published ?? (await composeQualityReport(options.store, jobId));
  if (!report) throw notFound(`quality report for job ${jobId} (Ingest has not recorded its photos)`);
  return {
    ...report,
    source: published ? 'published' : 'stage-outputs',
    timing: stageTiming(await options.events.events(jobId)),
  };
}

async function publishedReport(options: QualityReportRoutesOptions, jobId: string): Promise<QualityReport | undefined> {
  const publication = await options.publications.current(jobId);
  const path = publication?.products['quality-report'];
  if (!publication || !path) return undefined;
  const key = `${publication.prefix}/${path}`;
  if (!(await options.published.head(key))) return undefined;
  // A report of an older shape is composed afresh rather than refused.
  const parsed = QualityReportSchema.safeParse(await getJson(options.published, key));
  return parsed.success ? parsed.data : undefined;
}
