import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PUBLISHED_SCHEMAS, toJsonSchema, type PublishedSchemaName } from '@aerial/contracts';
import { escapeHtml } from './html';
import { markdownFiles } from './navigation';

/**
 * A page generated at build time (a reference page, the package graph): the data it comes from,
 * where it is published (`reference/mqtt.html`), its title and its HTML.
 */
export interface Page {
  readonly source: string;
  readonly output: string;
  readonly title: string;
  readonly html: string;
}

/** The folders and files the build generates inside the content folder (git-ignored, rewritten every build). */
export const GENERATED_IN_CONTENT = ['reference', 'packages.md', '_generated'] as const;

/** The Markdown file VitePress renders a generated page from (`reference/mqtt.html` → `reference/mqtt.md`). */
export function sourceFile(page: Page): string {
  if (!/^[a-z0-9/_-]+\.html$/.test(page.output))
    throw new Error(`${page.output}: a generated page needs a plain .html path`);
  return page.output.replace(/\.html$/, '.md');
}

/**
 * The Markdown VitePress renders a generated page from: its title as front matter, then its HTML
 * as one block. `v-pre` keeps Vue from reading `{{ }}` in the HTML as a template, and the HTML has
 * no blank line, which would end the block and hand the rest to the Markdown parser.
 */
export function generatedMarkdown(page: Page): string {
  const html = withHeaderAnchors(page.html.replace(/\n\s*\n/g, '\n'));
  return `---\ntitle: ${JSON.stringify(page.title)}\neditLink: false\n---\n\n<!-- Generated from ${page.source} by the docs build; edit the code, not this file. -->\n\n<div class="generated-page" v-pre>\n${html}\n</div>\n`;
}

/**
 * Headings with an id get the permalink VitePress gives its own: its local search splits pages
 * into sections at these, and the reader can copy a link to the heading.
 */
function withHeaderAnchors(html: string): string {
  return html.replace(
    /<h([1-6]) id="([^"]+)"([^>]*)>([\s\S]*?)<\/h\1>/g,
    (_, level: string, id: string, rest: string, inner: string) =>
      `<h${level} id="${id}"${rest} tabindex="-1">${inner} <a class="header-anchor" href="#${id}" aria-label="Permalink to this heading">&#8203;</a></h${level}>`,
  );
}

/**
 * Writes the generated pages (plus the contracts reference) as Markdown into `contentDir`, where
 * VitePress builds them with the hand-written pages. Refuses a generated page that would replace
 * a hand-written one. Returns every page written.
 */
export function writeGeneratedPages(contentDir: string, generated: readonly Page[]): Page[] {
  if (!existsSync(join(contentDir, 'index.md'))) throw new Error(`${contentDir} has no index.md: add one`);
  for (const name of GENERATED_IN_CONTENT) rmSync(join(contentDir, name), { recursive: true, force: true });
  const pages = [contractsReference(), ...generated];
  const handWritten = new Set(markdownFiles(contentDir));
  const seen = new Set<string>();
  for (const page of pages) {
    const file = sourceFile(page);
    if (handWritten.has(file) || seen.has(file))
      throw new Error(`two pages would be written to ${page.output}: rename one of them`);
    if (!GENERATED_IN_CONTENT.some((g) => file === g || file.startsWith(`${g}/`)))
      throw new Error(`${page.output}: generated pages go under ${GENERATED_IN_CONTENT.join(', ')} (git-ignored)`);
    seen.add(file);
    const target = join(contentDir, file);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, generatedMarkdown(page));
  }
  return pages;
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
