import {
  JOB_OPTION_DEFAULTS,
  JobOptionsInfoSchema,
  JobRequestSchema,
  PRESET_DESCRIPTIONS,
  PRESETS,
  PRIORITIES,
} from '@aerial/contracts';
import { AERIAL_PIPELINE, stagesFor } from '@aerial/definition';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';

/**
 * What a job can be asked for: the presets with the stages each runs, the priorities, and the
 * defaults. The page builds its form from this, so its defaults are the API's (the contract's).
 */
export const jobOptionRoutes: FastifyPluginAsync = async (plain) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const info = {
    presets: PRESETS.map((name) => ({
      name,
      description: PRESET_DESCRIPTIONS[name],
      stages: stagesFor(AERIAL_PIPELINE, name),
    })),
    priorities: [...PRIORITIES],
    defaults: JOB_OPTION_DEFAULTS,
  };
  app.get(
    '/api/job-options',
    {
      schema: {
        summary: 'The presets (with their stages), priorities and defaults a job request can name',
        tags: ['jobs'],
        response: { 200: JobOptionsInfoSchema },
      },
    },
    async () => info,
  );
};

/** A job's options as its detail shows them; a webhook by its origin only (its path often holds a token). */
export const JobOptionsViewSchema = z.object({
  preset: z.string(),
  priority: z.string(),
  label: z.string().optional(),
  notify: z.array(z.object({ kind: z.string(), address: z.string().optional(), url: z.string().optional() })),
  options: z.record(z.string(), z.unknown()),
});
export type JobOptionsView = z.infer<typeof JobOptionsViewSchema>;

/** The options of a stored job request, or null when it has none (jobs from before requests were kept). */
export function jobOptionsView(request: unknown): JobOptionsView | null {
  const parsed = JobRequestSchema.safeParse(request);
  if (!parsed.success) return null;
  const { source: _source, ...options } = parsed.data;
  return {
    ...options,
    notify: options.notify.map((target) =>
      target.kind === 'webhook' ? { kind: 'webhook', url: new URL(target.url).origin } : target,
    ),
  };
}
