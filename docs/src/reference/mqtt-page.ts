import { BROKER_USERS, TOPIC_DESCRIPTIONS, topics, toJsonSchema } from '@aerial/contracts';
import { escapeHtml } from '../html';
import type { Page } from '../site';
import { code, htmlTable } from './html-table';

/** The placeholder topic helpers are called with, shown as `{jobId}` on the page. */
const JOB_ID = 'job-id-placeholder';

/** A topic helper's name as written: the filter or name, with `{jobId}` for a per-job topic. */
export function topicPattern(value: string | ((jobId: string) => string)): string {
  return typeof value === 'string' ? value : value(JOB_ID).replace(JOB_ID, '{jobId}');
}

interface ObjectSchema {
  readonly properties?: Record<string, Record<string, unknown>>;
  readonly required?: readonly string[];
}

/** One row per event type of a discriminated union's JSON Schema: its type and fields. */
export function eventTypes(schema: Record<string, unknown>): { type: string; fields: string[] }[] {
  const variants = (schema.oneOf ?? schema.anyOf ?? []) as ObjectSchema[];
  return variants.map((v) => {
    const properties = v.properties ?? {};
    const required = new Set(v.required ?? []);
    return {
      type: String(properties.type?.const ?? ''),
      fields: Object.keys(properties)
        .filter((k) => k !== 'type')
        .map((k) => (required.has(k) ? k : `${k}?`)),
    };
  });
}

/** MQTT topics, what each carries, who may use them, and the payloads' JSON Schemas. */
export function mqttPage(): Page {
  const names = Object.keys(topics) as (keyof typeof topics)[];
  const events = toJsonSchema('PipelineEvent');
  const status = toJsonSchema('JobStatus');
  const users = Object.entries(BROKER_USERS).map(([user, acl]) => [
    code(user),
    { html: acl.publish.map((t) => `<code>${escapeHtml(t)}</code>`).join(', ') || '—' },
    { html: acl.subscribe.map((t) => `<code>${escapeHtml(t)}</code>`).join(', ') || '—' },
  ]);
  const html = `<h1>MQTT topics and payloads</h1>
<p>Generated at build time from <code>topics</code>, <code>BROKER_USERS</code> and the event schemas of <code>@aerial/contracts</code>. Job ids are validated before they enter a topic, so they never add a level or a wildcard.</p>
<h2 id="topics">Topics</h2>
${htmlTable(
  ['Helper', 'Topic', 'Carries'],
  names.map((name) => [code(`topics.${name}`), code(topicPattern(topics[name])), TOPIC_DESCRIPTIONS[name]]),
  names.map((name) => `topic-${name}`),
)}
<h2 id="broker-users">Broker users and ACL</h2>
<p>The Mosquitto ACL (Kubernetes) and the Hub's embedded broker are both written from this table.</p>
${htmlTable(['User', 'May publish', 'May subscribe'], users)}
<h2 id="pipeline-events">Pipeline events</h2>
<p>Each message on a job's events topic is one of these (<code>jobId</code> and <code>at</code>, an ISO date-time, on all; <code>?</code>: optional).</p>
${htmlTable(
  ['type', 'Fields'],
  eventTypes(events).map((e) => [code(e.type), e.fields.join(', ')]),
  eventTypes(events).map((e) => `event-${e.type.replace('.', '-')}`),
)}
<h3 id="pipelineevent-schema">PipelineEvent JSON Schema</h3>
<pre><code>${escapeHtml(JSON.stringify(events, null, 2))}</code></pre>
<h2 id="job-status">Job status</h2>
<p>The retained message on a job's status topic: the state after the last event.</p>
<pre><code>${escapeHtml(JSON.stringify(status, null, 2))}</code></pre>`;
  return { source: '@aerial/contracts topics', output: 'reference/mqtt.html', title: 'MQTT reference', html };
}
