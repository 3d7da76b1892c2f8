import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * The part of `bench-report.json` (written by `pnpm bench`, copied to docs/ by `--update-docs`)
 * the home page shows. Checked where it enters: a report of another shape stops the build.
 */
const SpreadSchema = z.object({ median: z.number() });
const FigureSchema = z.union([
  z.object({
    id: z.string(),
    group: z.string(),
    name: z.string(),
    unit: z.string(),
    measured: SpreadSchema,
    ratio: SpreadSchema.optional(),
    target: z.object({ text: z.string() }).optional(),
    pass: z.boolean().nullable(),
  }),
  z.object({ id: z.string(), group: z.string(), name: z.string(), skipped: z.string() }),
]);
export const BenchReportSchema = z.object({
  date: z.string(),
  machine: z.object({ cpuModel: z.string(), cores: z.number(), node: z.string(), commit: z.string() }),
  figures: z.array(FigureSchema),
});
export type BenchReport = z.infer<typeof BenchReportSchema>;

/** The figures the home page leads with, in this order (the benchmarks page has every figure). */
export const HEADLINE_FIGURES = [
  'map.brighton.wall',
  'map.brighton.rss',
  'map.caliterra.wall',
  'tiles.gdal2tiles',
  'sfm.colmap',
  'hub.tile',
  'hub.status',
  'hub.events',
] as const;

/** The report at `file`, validated. */
export function readBenchReport(file: string): BenchReport {
  return BenchReportSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

const formatNumber = (n: number) =>
  n >= 100 ? Math.round(n).toLocaleString('en-GB') : n >= 10 ? n.toFixed(1) : n.toPrecision(2);

/**
 * The home page's benchmark table as Markdown: each headline figure's median, its ratio to the
 * baseline measured in the same run, and its target with the verdict; then where and when it was measured.
 */
export function benchmarkMarkdown(report: BenchReport): string {
  const rows = HEADLINE_FIGURES.flatMap((id) => {
    const f = report.figures.find((x) => x.id === id);
    if (!f) return [];
    const name = `${f.group}: ${f.name}`.replace(/\|/g, '\\|');
    if ('skipped' in f) return [`| ${name} | skipped: ${f.skipped.replace(/\|/g, '\\|')} | | |`];
    const verdict = f.pass === null ? 'diagnostic' : `${f.target?.text ?? ''}: **${f.pass ? 'met' : 'missed'}**`;
    const ratio = f.ratio ? `${formatNumber(f.ratio.median)}×` : '—';
    return [`| ${name} | ${formatNumber(f.measured.median)} ${f.unit} | ${ratio} | ${verdict.replace(/\|/g, '\\|')} |`];
  });
  if (!rows.length) throw new Error('bench-report.json has none of the home page figures: check HEADLINE_FIGURES');
  const when = report.date.slice(0, 16).replace('T', ' ');
  return [
    '| figure | median | vs baseline (same run) | target |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    `Measured by \`pnpm bench\` on ${when} UTC at commit \`${report.machine.commit}\` (${report.machine.cores} cores, ${report.machine.cpuModel}, Node ${report.machine.node}); read from \`docs/bench-report.json\` when the site was built. The [benchmarks page](/benchmarks.md) has every figure, its baseline and spread, and the method.`,
    '',
  ].join('\n');
}

/** The 3D view's slot: the picture and its caption when `images/view-3d.png` is there, else nothing. */
export function view3dMarkdown(publicDir: string): string {
  if (!existsSync(join(publicDir, 'images', 'view-3d.png')))
    return '<!-- no images/view-3d.png yet: the home page shows no 3D view -->\n';
  return [
    '## The 3D view',
    '',
    // A Markdown image, not an <img>: VitePress puts the site's base in front of its path.
    "![The Hub's 3D view of a job's model and splats](/images/view-3d.png)",
    '',
    "*The Hub's 3D view of the Brighton Beach `3d` job: the cameras SfM placed over the splats' untrained initialisation (photos © Piero Toffanin, BSD 2-Clause).*",
    '',
  ].join('\n');
}
