import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, totalmem, type as osType, release } from 'node:os';
import { z } from 'zod';
import { pairedRatios, type Spread, spread } from './stats';

const SpreadSchema = z.object({
  median: z.number(),
  min: z.number(),
  max: z.number(),
  q1: z.number(),
  q3: z.number(),
  n: z.number().int().positive(),
});

const TargetSchema = z.object({
  /** What the limit applies to: the ratio to the baseline, or (memory, per-transition cost) the value. */
  on: z.enum(['ratio', 'value']),
  op: z.enum(['<=', '>=']),
  limit: z.number(),
  text: z.string(),
});
export type Target = z.infer<typeof TargetSchema>;

export const MeasuredFigureSchema = z.object({
  id: z.string().regex(/^[a-z0-9.-]+$/),
  group: z.string(),
  name: z.string(),
  unit: z.string(),
  rounds: z.number().int().positive(),
  measured: SpreadSchema,
  /** Every round's value, in the order measured (the baseline's likewise). */
  samples: z.array(z.number()),
  baseline: z.object({ name: z.string(), spread: SpreadSchema, samples: z.array(z.number()) }).optional(),
  /** measured / baseline, taken round by round when both have the same rounds. */
  ratio: SpreadSchema.optional(),
  target: TargetSchema.optional(),
  /** null: no target (a diagnostic). */
  pass: z.boolean().nullable(),
  note: z.string().optional(),
});
export type MeasuredFigure = z.infer<typeof MeasuredFigureSchema>;

export const SkippedFigureSchema = z.object({
  id: z.string().regex(/^[a-z0-9.-]+$/),
  group: z.string(),
  name: z.string(),
  skipped: z.string(),
});
export const FigureSchema = z.union([MeasuredFigureSchema, SkippedFigureSchema]);
export type Figure = z.infer<typeof FigureSchema>;
export const FiguresSchema = z.array(FigureSchema);

export const MachineSchema = z.object({
  cpuModel: z.string(),
  cores: z.number().int().positive(),
  memoryGiB: z.number().positive(),
  node: z.string(),
  os: z.string(),
  commit: z.string(),
});
export type Machine = z.infer<typeof MachineSchema>;

export const ReportSchema = z.object({
  schemaVersion: z.literal(1),
  date: z.string().datetime(),
  durationSeconds: z.number().nonnegative(),
  machine: MachineSchema,
  /** The BENCH_* settings the run used. */
  settings: z.record(z.string(), z.string()),
  /** Load average (1 min) before the run: a busy machine widens every spread. */
  loadBefore: z.number().nonnegative(),
  /** …and after it: another user's work arriving during the run shows here. */
  loadAfter: z.number().nonnegative(),
  figures: z.array(FigureSchema),
  /** Benchmarks whose process failed, with the end of what they printed. */
  failures: z.array(z.object({ bench: z.string(), error: z.string() })),
});
export type Report = z.infer<typeof ReportSchema>;

export interface FigureInput {
  readonly id: string;
  readonly group: string;
  readonly name: string;
  readonly unit: string;
  readonly samples: readonly number[];
  readonly baseline?: { readonly name: string; readonly samples: readonly number[] };
  readonly target?: Target;
  readonly note?: string;
}

/** A figure from its raw rounds: spreads, the per-round ratio and the verdict against its target. */
export function figure(input: FigureInput): MeasuredFigure {
  const measured = spread(input.samples);
  let ratio: Spread | undefined;
  if (input.baseline) {
    const b = input.baseline.samples;
    ratio =
      b.length === input.samples.length
        ? spread(pairedRatios(input.samples, b))
        : spread([measured.median / spread(b).median]);
  }
  if (input.target?.on === 'ratio' && !ratio) throw new Error(`${input.id}: a ratio target needs a baseline`);
  const subject = input.target?.on === 'ratio' ? ratio!.median : measured.median;
  const pass = input.target
    ? input.target.op === '<='
      ? subject <= input.target.limit
      : subject >= input.target.limit
    : null;
  return MeasuredFigureSchema.parse({
    id: input.id,
    group: input.group,
    name: input.name,
    unit: input.unit,
    rounds: input.samples.length,
    measured,
    samples: [...input.samples],
    ...(input.baseline
      ? {
          baseline: {
            name: input.baseline.name,
            spread: spread(input.baseline.samples),
            samples: [...input.baseline.samples],
          },
        }
      : {}),
    ...(ratio ? { ratio } : {}),
    ...(input.target ? { target: input.target } : {}),
    pass,
    ...(input.note ? { note: input.note } : {}),
  });
}

export function skipped(id: string, group: string, name: string, reason: string): Figure {
  return { id, group, name, skipped: reason };
}

/**
 * A benchmark process hands its figures to `pnpm bench` through the file named by BENCH_OUT; run on
 * its own it only prints them.
 */
export function emitFigures(figures: readonly Figure[]): void {
  const out = process.env.BENCH_OUT;
  if (out) writeFileSync(out, JSON.stringify(FiguresSchema.parse(figures)));
}

export function machine(cwd: string): Machine {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, encoding: 'utf8' });
    if (dirty.trim()) commit += ' (with uncommitted changes)';
  } catch {
    // Not a git checkout (a tarball): the commit stays unknown.
  }
  const cpu = cpus();
  return {
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${osType()} ${release()}`,
    commit,
  };
}

/** Significant digits for a table cell: 3 of them, no exponent. */
export function num(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e6) return String(value);
  const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(value))));
  return value.toFixed(Math.min(digits, 4));
}

const cell = (s: Spread, unit = '') => `${num(s.median)}${unit} (${num(s.min)}–${num(s.max)})`;

function targetText(f: MeasuredFigure): string {
  if (!f.target) return 'diagnostic';
  return f.target.text;
}

export function renderMarkdown(report: Report): string {
  const m = report.machine;
  const lines = [
    `Measured ${report.date.slice(0, 16).replace('T', ' ')} UTC on ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB,`,
    `Node ${m.node}, ${m.os}; commit ${m.commit}; load average ${report.loadBefore.toFixed(2)} before the run and ${report.loadAfter.toFixed(2)} after;`,
    `the run took ${(report.durationSeconds / 60).toFixed(1)} min. Settings: ${
      Object.entries(report.settings)
        .map(([k, v]) => `\`${k}=${v}\``)
        .join(', ') || 'defaults'
    }.`,
    '',
    'Each cell: median (min–max) over the rounds. The ratio is measured / baseline, taken round by round.',
    '',
    '| figure | measured | baseline (same run) | ratio | target | verdict | rounds |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const f of report.figures) {
    if ('skipped' in f) {
      lines.push(`| ${f.group}: ${f.name} | skipped: ${f.skipped} | | | | skipped | 0 |`);
      continue;
    }
    const unit = ` ${f.unit}`;
    const verdict = f.pass === null ? '—' : f.pass ? '**pass**' : '**FAIL**';
    lines.push(
      `| ${f.group}: ${f.name} | ${cell(f.measured, unit)} | ${
        f.baseline ? `${f.baseline.name}: ${cell(f.baseline.spread, unit)}` : '—'
      } | ${f.ratio ? cell(f.ratio) : '—'} | ${targetText(f)} | ${verdict} | ${f.rounds} |`,
    );
  }
  const notes = report.figures.filter((f): f is MeasuredFigure => 'note' in f && !!f.note);
  if (notes.length) {
    lines.push('', 'Notes:', '');
    for (const f of notes) lines.push(`- ${f.group}: ${f.name}: ${f.note}`);
  }
  if (report.failures.length) {
    lines.push('', 'Benchmarks that failed:', '');
    for (const f of report.failures) lines.push(`- ${f.bench}: ${f.error.replace(/\s+/g, ' ').slice(0, 400)}`);
  }
  return `${lines.join('\n')}\n`;
}
