import type { EnvironmentVariable } from '@aerial/contracts';
import { escapeHtml } from '../html';
import type { Page } from '../site';
import { code, htmlTable } from './html-table';

const GROUP_INTRO: Record<EnvironmentVariable['group'], string> = {
  runtime: 'The runtime config: read by the Hub, the CLI, the engine, the stage processes and the Lambdas.',
  'stage process': 'Set by the orchestrators (Step Functions and Batch, Argo, the local engine) for one stage run.',
  lambda: 'Set by the infra on its Lambdas, besides the runtime config.',
};

/** The type column: the JSON Schema's enum, pattern or type, as a reader writes the value. */
export function variableType(schema: Record<string, unknown>): string {
  if (Array.isArray(schema.enum)) return schema.enum.map(String).join(' | ');
  const type = typeof schema.type === 'string' ? schema.type : 'string';
  if (typeof schema.pattern === 'string') return `${type} matching ${schema.pattern}`;
  if (typeof schema.format === 'string') return `${type} (${schema.format})`;
  return type;
}

/** Every variable an Aerial process reads, by group: name, type, default, who reads it, what it does. */
export function environmentVariablesPage(variables: readonly EnvironmentVariable[]): Page {
  const groups = [...new Set(variables.map((v) => v.group))];
  const sections = groups.map((group) => {
    const rows = variables.filter((v) => v.group === group);
    return `<h2 id="${group.replace(/\s/g, '-')}">${escapeHtml(group)}</h2>\n<p>${escapeHtml(GROUP_INTRO[group])}</p>\n${htmlTable(
      ['Variable', 'Type', 'Default', 'Read by', 'Description'],
      rows.map((v) => [
        code(v.name),
        variableType(v.schema),
        v.default === undefined ? '' : code(typeof v.default === 'string' ? v.default : JSON.stringify(v.default)),
        v.readBy.join(', '),
        v.description,
      ]),
      rows.map((v) => v.name),
    )}`;
  });
  return {
    source: '@aerial/contracts environmentVariables()',
    output: 'reference/environment-variables.html',
    title: 'Environment variables',
    html: `<h1>Environment variables</h1>\n<p>Generated at build time from the schemas in <code>@aerial/contracts</code> (<code>environmentVariables()</code>): every variable a process reads, and nothing else. ${variables.length} variables.</p>\n${sections.join('\n')}`,
  };
}
