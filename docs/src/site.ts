import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, posix, relative, sep } from 'node:path';
import { PUBLISHED_SCHEMAS, toJsonSchema, type PublishedSchemaName } from '@aerial/contracts';
import { Marked } from 'marked';
import { escapeHtml } from './html';

/** One page of the site: where it comes from, where it goes, and its title. */
export interface Page {
  readonly source: string;
  readonly output: string;
  readonly title: string;
  readonly html: string;
}

const LAYOUT_CSS = [
  'body{font:16px/1.55 system-ui,sans-serif;margin:0;display:flex;color:#1b1f24}',
  'nav{width:16rem;padding:1.5rem;background:#f3f5f7;min-height:100vh;box-sizing:border-box}',
  'nav a{display:block;color:#0b5cad;text-decoration:none;margin:.25rem 0}',
  'main{max-width:52rem;padding:1.5rem 2.5rem}',
  'pre{background:#f3f5f7;padding:1rem;overflow:auto}code{font-size:.92em}',
  'table{border-collapse:collapse}td,th{border:1px solid #d0d7de;padding:.3rem .6rem}',
].join('');

/**
 * Renders every Markdown file under `contentDir`, the contracts reference and the `generated` pages
 * (made at build time, such as the package graph) into `outDir`.
 */
export function buildSite(contentDir: string, outDir: string, generated: readonly Page[] = []): Page[] {
  const pages = [
    ...markdownFiles(contentDir).map((file) => renderMarkdown(contentDir, file)),
    contractsReference(),
    ...generated,
  ];
  const duplicate = pages.find((p, i) => pages.findIndex((q) => q.output === p.output) !== i);
  if (duplicate) throw new Error(`two pages would be written to ${duplicate.output}: rename one of them`);
  if (!pages.some((p) => p.output === 'index.html')) throw new Error(`${contentDir} has no index.md: add one`);
  const broken = brokenLinks(pages);
  if (broken.length) throw new Error(`links to no page (fix or remove them): ${broken.join('; ')}`);

  rmSync(outDir, { recursive: true, force: true });
  const nav = [...pages].sort((a, b) => navOrder(a) - navOrder(b) || a.title.localeCompare(b.title));
  for (const page of pages) {
    const target = join(outDir, page.output);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, layout(page, nav));
  }
  return pages;
}

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.md'))
    .map((f) => f.split(sep).join('/'))
    .sort();
}

function renderMarkdown(contentDir: string, file: string): Page {
  const markdown = readFileSync(join(contentDir, file), 'utf8');
  const title = /^#\s+(.+)$/m.exec(markdown)?.[1]?.trim();
  if (!title) throw new Error(`${file} has no "# title" line: every page needs one for the navigation`);
  const ids = new Map<string, number>();
  const marked = new Marked({
    walkTokens: (token) => {
      // Links between pages are written to the .md files so they work on GitHub too.
      if (token.type === 'link' && !/^[a-z]+:/i.test(token.href))
        token.href = token.href.replace(/\.md(#|$)/, '.html$1');
    },
    renderer: {
      // Headings get GitHub's anchors, so `page.md#a-heading` lands on the site as on GitHub.
      heading({ tokens, depth, text }) {
        const slug = headingSlug(text);
        const seen = ids.get(slug) ?? 0;
        ids.set(slug, seen + 1);
        const id = seen ? `${slug}-${seen}` : slug;
        return `<h${depth} id="${id}">${this.parser.parseInline(tokens)}</h${depth}>\n`;
      },
    },
  });
  return {
    source: file,
    output: file.replace(/\.md$/, '.html'),
    title,
    html: marked.parse(markdown, { async: false }),
  };
}

function contractsReference(): Page {
  const names = Object.keys(PUBLISHED_SCHEMAS) as PublishedSchemaName[];
  const sections = names.map(
    (name) =>
      `<h2 id="${name}">${name}</h2>\n<pre><code>${escapeHtml(JSON.stringify(toJsonSchema(name), null, 2))}</code></pre>`,
  );
  return {
    source: '@aerial/contracts',
    output: 'reference/contracts.html',
    title: 'Contracts reference',
    html: `<h1>Contracts reference</h1>\n<p>JSON Schemas generated from <code>@aerial/contracts</code> at build time.</p>\n${sections.join('\n')}`,
  };
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
export function headingSlug(text: string): string {
  return text
    .toLowerCase()
    .replace(/<[^>]*>/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .trim()
    .replace(/\s/g, '-');
}

/**
 * Links between pages (not to other sites) whose target is no page of the site, or whose
 * `#fragment` names no `id` on that page.
 */
function brokenLinks(pages: readonly Page[]): string[] {
  const byOutput = new Map(pages.map((p) => [p.output, p]));
  return pages.flatMap((page) =>
    [...page.html.matchAll(/href="([^"]*)"/g)]
      .map(([, href]) => href as string)
      .filter((href) => href !== '' && !/^[a-z][a-z0-9+.-]*:/i.test(href))
      .filter((href) => {
        const [path = '', fragment] = href.split('#');
        const target = path ? byOutput.get(posix.normalize(posix.join(posix.dirname(page.output), path))) : page;
        return !target || (fragment !== undefined && !target.html.includes(`id="${fragment}"`));
      })
      .map((href) => `${page.source} → ${href}`),
  );
}

function navOrder(page: Page): number {
  if (page.output === 'index.html') return 0;
  return page.output.includes('/') ? 2 : 1;
}

function layout(page: Page, nav: Page[]): string {
  const root = relative(dirname(page.output), '.') || '.';
  const links = nav.map((p) => `<a href="${root}/${p.output}">${escapeHtml(p.title)}</a>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)} · Aerial Platform</title><style>${LAYOUT_CSS}</style></head>
<body><nav><strong>Aerial Platform</strong>\n${links}</nav><main>${page.html}</main></body></html>
`;
}
