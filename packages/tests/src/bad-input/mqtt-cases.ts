import { topics } from '@aerial/contracts';

/** A job id no job has: events about it are well-formed, but name nothing the Hub knows. */
export const STRANGER = 'job-20990101-0badf00d';

const at = '2026-06-01T10:00:00.000Z';
const topic = (jobId: string) => topics.jobEvents(jobId);

/**
 * One message on the topics the Hub subscribes to that it must log and drop: the Hub keeps
 * serving, stores nothing, and counts it among the rejected when it stops.
 */
export interface MqttCase {
  readonly target: 'mqtt';
  readonly id: string;
  readonly topic: string;
  readonly payload: string | Buffer;
}

const mqtt = (id: string, payload: unknown, on = topic(STRANGER)): MqttCase => ({
  target: 'mqtt',
  id,
  topic: on,
  payload: typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload),
});

export const mqttCases: readonly MqttCase[] = [
  mqtt('not-json', 'job started!'),
  mqtt('empty-payload', ''),
  mqtt('binary-garbage', Buffer.from([0xff, 0xd8, 0x00, 0x01, 0xfe, 0x80])),
  mqtt('json-array', [{ type: 'job.started' }]),
  mqtt('json-number', 42),
  mqtt('unknown-event-type', { jobId: STRANGER, at, type: 'job.exploded' }),
  mqtt('missing-job-id', { at, type: 'job.started' }),
  mqtt('malformed-timestamp', { jobId: STRANGER, at: 'yesterday', type: 'job.started' }),
  mqtt('unknown-stage', { jobId: STRANGER, at, type: 'stage.started', stage: 'Teleport', attempt: 1 }),
  mqtt('percent-out-of-range', { jobId: STRANGER, at, type: 'stage.progress', stage: 'Ingest', percent: 500 }),
  mqtt('failure-without-error', { jobId: STRANGER, at, type: 'job.failed' }),
  mqtt('event-for-another-jobs-topic', { jobId: 'job-20990101-00000001', at, type: 'job.started' }),
  mqtt('sql-looking-job-id', { jobId: "x'; DROP TABLE events;--", at, type: 'job.started' }),
  mqtt('deeply-nested', `${'['.repeat(5000)}${']'.repeat(5000)}`),
  mqtt('large-message', {
    jobId: STRANGER,
    at,
    type: 'stage.progress',
    stage: 'Ingest',
    percent: 1,
    message: 'x'.repeat(300_000),
  }),
  // Well-formed, but about a job the Hub never started: the database refuses it, the Hub drops it.
  mqtt('event-of-unknown-job', { jobId: STRANGER, at, type: 'job.started' }),
];
