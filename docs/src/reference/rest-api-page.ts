import { z } from 'zod';
import { escapeHtml } from '../html';
import type { Page } from '../site';
import { anchor, code, htmlTable } from './html-table';

const OperationSchema = z.object({
  summary: z.string().optional(),
  description: z.string().optional(),
  tags: z.array(z.string()).optional(),
  parameters: z
    .array(
      z.object({
        name: z.string(),
        in: z.string(),
        required: z.boolean().optional(),
        description: z.string().optional(),
      }),
    )
    .optional(),
  requestBody: z.unknown().optional(),
  responses: z.record(z.string(), z.object({ description: z.string().optional() }).loose()).optional(),
  security: z.array(z.record(z.string(), z.unknown())).optional(),
});

/** The part of an OpenAPI 3 document the reference renders; the Hub's program prints the whole. */
export const OpenApiDocumentSchema = z.object({
  openapi: z.string().regex(/^3\./),
  info: z.object({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.record(z.string(), z.unknown())),
});
export type OpenApiDocument = z.infer<typeof OpenApiDocumentSchema>;

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

export interface ApiOperation {
  readonly method: string;
  readonly path: string;
  readonly operation: z.infer<typeof OperationSchema>;
}

/** Every operation of the document, by path then method. */
export function apiOperations(document: OpenApiDocument): ApiOperation[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m] !== undefined).map((method) => ({
      method: method.toUpperCase(),
      path,
      operation: OperationSchema.parse(item[method]),
    })),
  );
}

/** The REST API reference: method, path, summary, tags, parameters and responses of each route. */
export function restApiPage(raw: unknown): Page {
  const document = OpenApiDocumentSchema.parse(raw);
  const operations = apiOperations(document);
  const tags = [...new Set(operations.map((o) => o.operation.tags?.[0] ?? 'other'))];
  const sections = tags.map((tag) => {
    const ops = operations.filter((o) => (o.operation.tags?.[0] ?? 'other') === tag);
    return `<h2 id="tag-${anchor(tag)}">${escapeHtml(tag)}</h2>\n${ops.map(operationSection).join('\n')}`;
  });
  const html = `<h1>REST API reference</h1>
<p>Generated at build time from the Hub's OpenAPI document (<code>node apps/hub/lib/server/openapi.js</code>), the one the running Hub serves at <code>/openapi.json</code> and browses at <code>/docs</code>. ${escapeHtml(document.info.title)}, version ${escapeHtml(document.info.version)}; ${operations.length} operations.</p>
${htmlTable(
  ['Method', 'Path', 'Summary'],
  operations.map((o) => [
    o.method,
    { html: `<a href="#${operationId(o)}"><code>${escapeHtml(o.path)}</code></a>` },
    o.operation.summary ?? '',
  ]),
)}
${sections.join('\n')}`;
  return { source: 'apps/hub openapi', output: 'reference/rest-api.html', title: 'REST API reference', html };
}

export const operationId = (o: ApiOperation): string => `${o.method.toLowerCase()}-${anchor(o.path)}`;

function operationSection(o: ApiOperation): string {
  const { operation } = o;
  const parameters = operation.parameters ?? [];
  const responses = Object.entries(operation.responses ?? {});
  return `<h3 id="${operationId(o)}"><code>${o.method} ${escapeHtml(o.path)}</code></h3>
${operation.summary ? `<p>${escapeHtml(operation.summary)}</p>` : ''}
${operation.description && operation.description !== operation.summary ? `<p>${escapeHtml(operation.description)}</p>` : ''}
<p>Tags: ${escapeHtml((operation.tags ?? []).join(', ') || '—')}${operation.security?.length ? '; needs an API key (<code>Authorization: Bearer aerial_&lt;id&gt;_&lt;secret&gt;</code>)' : ''}${operation.requestBody ? '; takes a JSON body' : ''}.</p>
${
  parameters.length
    ? htmlTable(
        ['Parameter', 'In', 'Required', 'Description'],
        parameters.map((p) => [code(p.name), p.in, p.required ? 'yes' : 'no', p.description ?? '']),
      )
    : ''
}
${
  responses.length
    ? htmlTable(
        ['Response', 'Description'],
        responses.map(([status, r]) => [code(status), r.description ?? '']),
      )
    : ''
}`;
}
