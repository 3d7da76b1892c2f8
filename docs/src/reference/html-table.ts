import { escapeHtml } from '../html';

/** A cell: plain text (escaped), or markup the caller built and escaped itself. */
export type Cell = string | { readonly html: string };

const cell = (c: Cell) => (typeof c === 'string' ? escapeHtml(c) : c.html);

/** An HTML table; `ids` gives each row an anchor (`#name`), so other pages can link to a row. */
export function htmlTable(
  headers: readonly string[],
  rows: readonly (readonly Cell[])[],
  ids?: readonly string[],
): string {
  const head = `<tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
  const body = rows.map(
    (row, i) =>
      `<tr${ids?.[i] ? ` id="${escapeHtml(ids[i])}"` : ''}>${row.map((c) => `<td>${cell(c)}</td>`).join('')}</tr>`,
  );
  return `<table>\n${head}\n${body.join('\n')}\n</table>`;
}

/** Inline code. */
export const code = (text: string): { html: string } => ({ html: `<code>${escapeHtml(text)}</code>` });

/** An anchor-safe id from a name such as `Aerial.InvalidInput` or `GET /api/jobs/{jobId}`. */
export const anchor = (name: string): string =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
