import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type Figure, FiguresSchema, machine, renderMarkdown, type Report, ReportSchema } from './report';

const ROOT = resolve(__dirname, '..', '..', '..');
const DOCS = join(ROOT, 'docs', 'content', 'benchmarks.md');
/** The report the docs' home page reads its figures from at build time. */
const DOCS_REPORT = join(ROOT, 'docs', 'bench-report.json');
export const REPORT_START = '<!-- bench-report:start (pnpm bench -- --update-docs writes this part) -->';
export const REPORT_END = '<!-- bench-report:end -->';

/** Every benchmark, cheapest first; each runs as a process of its own and hands back its figures. */
const BENCHMARKS = ['engine', 'ingest', 'mosaic', 'hub', 'affected', 'sfm'] as const;

/**
 * `pnpm bench`: runs every benchmark one after another (never two at once: they would measure
 * each other), then writes bench-report.md and bench-report.json at the repository root, and with
 * `--update-docs` the report part of docs/content/benchmarks.md. `--only hub,engine` runs some.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1]?.split(',') : undefined;
  const unknown = only?.filter((b) => !(BENCHMARKS as readonly string[]).includes(b));
  if (unknown?.length) throw new Error(`unknown benchmark ${unknown.join(', ')} (known: ${BENCHMARKS.join(', ')})`);
  const selected = BENCHMARKS.filter((b) => !only || only.includes(b));
  const started = performance.now();
  const date = new Date().toISOString();
  const loadBefore = loadavg()[0]!;
  if (loadBefore > 1) process.stderr.write(`bench: load average ${loadBefore.toFixed(2)}: the figures will be noisy\n`);
  const work = mkdtempSync(join(tmpdir(), 'aerial-bench-all-'));
  const figures: Figure[] = [];
  const failures: Report['failures'] = [];
  try {
    for (const bench of selected) {
      const out = join(work, `${bench}.json`);
      process.stdout.write(`\n== ${bench} ==\n`);
      const t0 = performance.now();
      const { code, tail } = await runBench(bench, out);
      process.stdout.write(`== ${bench}: ${((performance.now() - t0) / 1000).toFixed(0)} s ==\n`);
      if (existsSync(out)) figures.push(...FiguresSchema.parse(JSON.parse(readFileSync(out, 'utf8'))));
      if (code !== 0) failures.push({ bench, error: tail || `exit ${code}` });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const settings = Object.fromEntries(
    Object.entries(process.env)
      .filter(([k, v]) => k.startsWith('BENCH_') && k !== 'BENCH_OUT' && v !== undefined)
      .sort(([a], [b]) => a.localeCompare(b)),
  ) as Record<string, string>;
  const report = ReportSchema.parse({
    schemaVersion: 1,
    date,
    durationSeconds: Math.round((performance.now() - started) / 1000),
    machine: machine(ROOT),
    settings: only ? { ...settings, only: only.join(',') } : settings,
    loadBefore,
    loadAfter: loadavg()[0]!,
    figures,
    failures,
  } satisfies Report);
  const markdown = renderMarkdown(report);
  writeFileSync(join(ROOT, 'bench-report.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(ROOT, 'bench-report.md'), `# Benchmark report\n\n${markdown}`);
  process.stdout.write(`\n${markdown}\nwrote bench-report.md and bench-report.json\n`);
  if (args.includes('--update-docs')) {
    writeFileSync(DOCS, withReport(readFileSync(DOCS, 'utf8'), markdown));
    writeFileSync(DOCS_REPORT, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`updated ${DOCS.slice(ROOT.length + 1)} and ${DOCS_REPORT.slice(ROOT.length + 1)}\n`);
  }
  if (failures.length) process.exitCode = 1;
}

/** The page with its report part (between the markers) replaced by `markdown`. */
export function withReport(page: string, markdown: string): string {
  const start = page.indexOf(REPORT_START);
  const end = page.indexOf(REPORT_END);
  if (start < 0 || end < start) throw new Error(`the page has no ${REPORT_START} … ${REPORT_END} part`);
  return `${page.slice(0, start + REPORT_START.length)}\n\n${markdown}\n${page.slice(end)}`;
}

/** Runs one benchmark with its output shown as it comes; keeps the end of its error output. */
function runBench(bench: string, out: string): Promise<{ code: number; tail: string }> {
  return new Promise((ok) => {
    const child = spawn(process.execPath, [join(__dirname, `${bench}.js`)], {
      env: { ...process.env, BENCH_OUT: out },
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    let tail = '';
    child.stderr.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      tail = (tail + chunk.toString()).slice(-1500);
    });
    child.once('exit', (code, signal) => ok({ code: code ?? (signal ? 1 : 0), tail: code ? tail.trim() : '' }));
  });
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`bench: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  });
}
