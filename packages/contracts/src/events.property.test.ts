import fc from 'fast-check';
import { jobIdFromTopic, PipelineEventSchema, topics } from './events';
import { JobIdSchema } from './stages';

/** What the Hub's MQTT bridge parses: any payload, any topic, without throwing. */
describe('pipeline events: properties', () => {
  test('any JSON payload is either a pipeline event or a refusal with a path and a message', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const result = PipelineEventSchema.safeParse(value);
        if (!result.success) {
          expect(result.error.issues.length).toBeGreaterThan(0);
          expect(typeof result.error.issues[0]!.message).toBe('string');
        }
      }),
      { numRuns: 1000 },
    );
  });

  test('event-shaped payloads with random fields never throw, and what passes has a valid job id', () => {
    const event = fc.record(
      {
        jobId: fc.oneof(fc.stringMatching(/^job-\d{8}-[0-9a-f]{8}$/), fc.string()),
        at: fc.oneof(
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          fc.string(),
        ),
        type: fc.constantFrom('job.started', 'job.failed', 'stage.progress', 'stage.started', 'job.exploded'),
        stage: fc.oneof(fc.constantFrom('Ingest', 'Footprints', 'Notify'), fc.string()),
        percent: fc.oneof(fc.double(), fc.integer()),
        attempt: fc.integer(),
        error: fc.anything(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(event, (value) => {
        const result = PipelineEventSchema.safeParse(value);
        if (result.success) expect(JobIdSchema.safeParse(result.data.jobId).success).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  test('a topic names a job only when built from a valid job id; any other string names none', () => {
    fc.assert(
      fc.property(fc.string(), (topic) => {
        const jobId = jobIdFromTopic(topic);
        if (jobId !== undefined) expect([topics.jobEvents(jobId), topics.jobStatus(jobId)]).toContain(topic);
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9][a-z0-9-]{2,62}$/), (jobId) => {
        expect(jobIdFromTopic(topics.jobEvents(jobId))).toBe(jobId);
      }),
    );
  });

  test('no job id can add MQTT levels or wildcards to a topic', () => {
    fc.assert(
      fc.property(fc.string(), (jobId) => {
        let topic: string | undefined;
        try {
          topic = topics.jobEvents(jobId);
        } catch {
          return;
        }
        expect(topic.split('/')).toHaveLength(5);
        expect(topic).not.toMatch(/[+#]/);
      }),
      { numRuns: 1000 },
    );
  });
});
