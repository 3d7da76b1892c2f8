import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The analysis notebooks in `docs/notebooks/`, each shown on the site as `content/analysis/<name>.md`. */
export const NOTEBOOKS = ['coverage', 'gsd'] as const;
export type NotebookName = (typeof NOTEBOOKS)[number];

/**
 * Debian's Python, which has the packages tools/services/setup.sh installs (GeoPandas, matplotlib,
 * nbclient); a Python earlier on PATH (pyenv, a virtualenv) may lack them.
 */
export const SYSTEM_PYTHON = '/usr/bin/python3';
const JUPYTER = '/usr/bin/jupyter';

/** Why the notebooks cannot run on this machine, or undefined when they can. */
export function notebooksUnavailable(): string | undefined {
  if (!existsSync(JUPYTER)) return `${JUPYTER} is missing: run tools/services/setup.sh (jupyter-nbconvert)`;
  try {
    execFileSync(SYSTEM_PYTHON, ['-c', 'import geopandas, matplotlib, nbclient'], { stdio: 'pipe' });
    return undefined;
  } catch {
    return `${SYSTEM_PYTHON} lacks geopandas, matplotlib or nbclient: run tools/services/setup.sh`;
  }
}

export interface ExecutedNotebook {
  /** The executed notebook, outputs included. */
  readonly notebook: string;
  /** The folder it wrote its figures (`<name>.png`) and their values (`<name>.json`) to. */
  readonly out: string;
  /** Its figures' values. */
  readonly figures: Record<string, unknown>;
}

/**
 * Runs notebook `name` on the published run folder `run` (relative to docs/notebooks, or absolute),
 * keeping the executed notebook in `workDir` and its figures in `out` (the same).
 */
export function executeNotebook(
  repoRoot: string,
  name: NotebookName,
  run: string,
  workDir: string,
  out: string = join(workDir, 'out'),
): ExecutedNotebook {
  const notebooks = join(repoRoot, 'docs', 'notebooks');
  const notebook = join(workDir, `${name}.ipynb`);
  mkdirSync(workDir, { recursive: true });
  execFileSync(SYSTEM_PYTHON, [join(notebooks, 'run_notebook.py'), `${name}.ipynb`, run, out, notebook], {
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 300_000,
  });
  const figures = JSON.parse(readFileSync(resolve(notebooks, out, `${name}.json`), 'utf8')) as Record<string, unknown>;
  return { notebook, out: resolve(notebooks, out), figures };
}

/**
 * The executed notebook as a Markdown page (nbconvert: its text, code and outputs, the plots as
 * PNG files in `<name>_files/` beside it) in `pageDir`; returns the page's path.
 */
export function notebookPage(executed: ExecutedNotebook, name: NotebookName, pageDir: string, note: string): string {
  execFileSync(
    JUPYTER,
    ['nbconvert', '--to', 'markdown', '--output-dir', pageDir, '--output', name, executed.notebook],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const page = join(pageDir, `${name}.md`);
  const markdown = readFileSync(page, 'utf8');
  // The note (where the page comes from) goes under the title; pandas' scoped style for its tables
  // is dropped (a site generator on Vue would take it for a component's style block).
  writeFileSync(
    page,
    markdown
      .replace(/^(# .+\n)/, `$1\n> ${note}\n`)
      .replace(/<style scoped>[\s\S]*?<\/style>\n/g, '')
      .replaceAll('![png](', `![${name} plot](`),
  );
  return page;
}

/** Executes every notebook on `run` and writes its page into `pageDir`; returns the pages. */
export function renderNotebookPages(repoRoot: string, run: string, pageDir: string, source: string): string[] {
  const work = mkdtempSync(join(tmpdir(), 'aerial-notebooks-'));
  try {
    return NOTEBOOKS.map((name) =>
      notebookPage(
        // Figures go to the git-ignored .aerial/, named relative to the notebooks, so no temporary
        // path shows on the page.
        executeNotebook(repoRoot, name, run, join(work, name), `../../.aerial/analysis/${name}`),
        name,
        pageDir,
        `Rendered from [\`docs/notebooks/${name}.ipynb\`](https://github.com/aerial-platform/aerial-platform/blob/main/docs/notebooks/${name}.ipynb), executed on ${source} by \`node docs/lib/analysis/render-notebooks.js\`.`,
      ),
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
