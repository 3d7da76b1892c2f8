import { execFileSync } from 'node:child_process';
import { join, relative } from 'node:path';
import { renderNotebookPages } from './notebooks';

/**
 * `node docs/lib/analysis/render-notebooks.js RUN [DESCRIPTION]`: executes the analysis notebooks
 * on the published run folder RUN (give it relative to docs/notebooks to keep absolute paths out
 * of the pages) and rewrites their pages in docs/content/analysis/.
 */
const repoRoot = join(__dirname, '..', '..', '..');
const [run, source = `the published run ${run}`] = process.argv.slice(2);
if (!run) {
  process.stderr.write('usage: node docs/lib/analysis/render-notebooks.js RUN_FOLDER [DESCRIPTION]\n');
  process.exit(2);
}
const pages = renderNotebookPages(repoRoot, run, join(repoRoot, 'docs', 'content', 'analysis'), source);
// The pages are committed, and CI checks every file's formatting.
execFileSync(join(repoRoot, 'node_modules', '.bin', 'prettier'), ['--write', ...pages], { stdio: 'ignore' });
process.stdout.write(`wrote ${pages.map((p) => relative(repoRoot, p)).join(', ')}\n`);
