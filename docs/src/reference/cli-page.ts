import { escapeHtml } from '../html';
import type { Page } from '../site';
import { code, htmlTable } from './html-table';

export interface CliOption {
  readonly flag: string;
  readonly summary: string;
}

export interface CliCommandUsage {
  readonly command: string;
  readonly synopsis: string;
  readonly summary: string;
  readonly options: readonly CliOption[];
}

/**
 * The commands of `aerial help`'s text: a command at two spaces (name, arguments, then its summary
 * after two or more spaces), its options at six, continuation lines deeper.
 */
export function parseUsage(usage: string): CliCommandUsage[] {
  const commands: { command: string; synopsis: string; summary: string; options: CliOption[] }[] = [];
  for (const line of usage.split('\n')) {
    const command = /^ {2}([a-z][a-z-]*)(.*?)(?: {2,}(.*))?$/.exec(line);
    const option = /^ {6}(--[a-z-]+(?: [A-Z]+)?)\s{2,}(.*)$/.exec(line);
    const continued = /^ {7,}(\S.*)$/.exec(line);
    if (command?.[1]) {
      commands.push({
        command: command[1],
        synopsis: `${command[1]}${command[2] ?? ''}`.trim(),
        summary: command[3]?.trim() ?? '',
        options: [],
      });
    } else if (option?.[1] && commands.length) {
      commands[commands.length - 1]?.options.push({ flag: option[1], summary: option[2]?.trim() ?? '' });
    } else if (continued?.[1] && commands.length) {
      const last = commands[commands.length - 1];
      if (last) last.summary = `${last.summary} ${continued[1].trim()}`;
    }
  }
  return commands;
}

/** The CLI reference, from the usage text the built CLI prints. */
export function cliPage(usage: string): Page {
  const commands = parseUsage(usage);
  if (!commands.length) throw new Error('the CLI usage lists no commands: check `aerial help` and parseUsage');
  const sections = commands.map(
    (c) => `<h2 id="${c.command}"><code>aerial ${escapeHtml(c.synopsis)}</code></h2>
<p>${escapeHtml(c.summary)}</p>
${
  c.options.length
    ? htmlTable(
        ['Option', 'Meaning'],
        c.options.map((o) => [code(o.flag), o.summary]),
      )
    : ''
}`,
  );
  const html = `<h1>CLI reference</h1>
<p>Generated at build time by running the built CLI (<code>node apps/workers/lib/cli/main.js help</code>).</p>
${sections.join('\n')}
<h2 id="usage">The usage text</h2>
<pre><code>${escapeHtml(usage.trimEnd())}</code></pre>`;
  return { source: 'apps/workers aerial help', output: 'reference/cli.html', title: 'CLI reference', html };
}
