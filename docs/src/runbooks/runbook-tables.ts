import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUCKET_FIGURES, type EnvironmentFigures } from './environment-figures';

/**
 * The runbooks' tables of figures that live in code, as Markdown. A runbook holds each between
 * `<!-- generated:NAME -->` and `<!-- /generated:NAME -->` (blank lines around it); `fillRunbookTables` rewrites them and
 * the drift test fails when a committed page differs from what the code says.
 */
export function runbookTables(envs: readonly EnvironmentFigures[]): Record<string, string> {
  const byEnv = (label: string, value: (e: EnvironmentFigures) => string | number) => [
    label,
    ...envs.map((e) => String(value(e))),
  ];
  const header = ['', ...envs.map((e) => `\`${e.name}\``)];
  const usd = (n: number) => `$${n.toLocaleString('en-US')}`;
  const days = (n: number | undefined) => (n === undefined ? 'kept' : `${n} day${n === 1 ? '' : 's'}`);
  const noncurrent = BUCKET_FIGURES.noncurrentVersionDays;
  return {
    scaling: markdownTable(header, [
      byEnv('Batch CPU compute environment, max vCPUs', (e) => e.batch.cpuMaxVcpus),
      byEnv('Batch GPU compute environment, max vCPUs', (e) => e.batch.gpuMaxVcpus),
      byEnv('Karpenter `cpu` node pool limit', (e) => `${e.karpenter.cpu} vCPUs, ${e.karpenter.memory}`),
      byEnv('Karpenter `gpu` node pool limit', (e) => `${e.karpenter.gpus} GPUs`),
      byEnv('Hub replicas (autoscaled)', (e) => `${e.hubReplicas.min}–${e.hubReplicas.max}`),
      byEnv('Photos per job (`limits.maxImagesPerJob`)', (e) => e.limits.maxImagesPerJob),
    ]),
    costs: markdownTable(header, [
      byEnv('Monthly budget (`budget.monthlyUsd`)', (e) => usd(e.budget.monthlyUsd)),
      byEnv('Largest estimated job accepted (`budget.maxJobUsd`)', (e) => usd(e.budget.maxJobUsd)),
      byEnv('Fixed cost with no job running (estimate)', (e) => usd(e.budget.fixedMonthlyUsd)),
      byEnv('Left for jobs', (e) => usd(e.budget.monthlyUsd - e.budget.fixedMonthlyUsd)),
    ]),
    retention: markdownTable(header, [
      byEnv('CloudWatch log groups', (e) => days(e.retention.logDays)),
      byEnv('Uploads (`retention.uploadsDays`)', (e) => days(e.retention.uploadsDays)),
      byEnv('Stage outputs under `jobs/` (`retention.workDays`)', (e) => days(e.retention.workDays)),
      byEnv('Published products (`retention.publishedDays`)', (e) => days(e.retention.publishedDays)),
      byEnv('PostGIS instances (CloudNativePG)', (e) => e.postgis.instances),
      byEnv('PostGIS base backups and WAL kept', (e) => e.postgis.backupRetention),
      byEnv('PostGIS scheduled base backup (cron, seconds first)', (e) => `\`${e.postgis.backupSchedule}\``),
    ]),
    versioning: markdownTable(
      ['Bucket', 'Versioned', 'Previous versions kept'],
      [
        ['uploads', 'yes', days(noncurrent.uploads)],
        ['work', 'yes', days(noncurrent.work)],
        ['published', 'yes', days(noncurrent.published)],
        ['backups', 'yes', days(noncurrent.backups)],
        ['access logs', 'no', `objects expire after ${days(BUCKET_FIGURES.accessLogDays)}`],
      ],
    ),
  };
}

/** A Markdown table laid out as prettier lays it out, so formatting a runbook leaves it unchanged. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(3, h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n');
}

// Blank lines around the table: prettier puts them there, and Markdown then ends the comment's block.
const BLOCK = /(<!-- generated:([a-z-]+) -->\n\n)([\s\S]*?)(\n\n<!-- \/generated:\2 -->)/g;

/** The names of the generated blocks in `markdown`, in order. */
export function generatedBlocks(markdown: string): { name: string; body: string }[] {
  return [...markdown.matchAll(BLOCK)].map((m) => ({ name: m[2]!, body: m[3]! }));
}

/** `markdown` with each generated block replaced by its table; throws on a block with no table. */
export function fillTables(markdown: string, tables: Record<string, string>): string {
  return markdown.replace(BLOCK, (_all, open: string, name: string, _body: string, close: string) => {
    const table = tables[name];
    if (table === undefined)
      throw new Error(`<!-- generated:${name} --> names no table: one of ${Object.keys(tables).join(', ')}`);
    return `${open}${table}${close}`;
  });
}

/** Rewrites the generated blocks of every runbook in `runbooksDir`; returns the files it changed. */
export function fillRunbookTables(runbooksDir: string, tables: Record<string, string>): string[] {
  const changed: string[] = [];
  for (const file of readdirSync(runbooksDir).filter((f) => f.endsWith('.md'))) {
    const path = join(runbooksDir, file);
    const before = readFileSync(path, 'utf8');
    const after = fillTables(before, tables);
    if (after !== before) {
      writeFileSync(path, after);
      changed.push(file);
    }
  }
  return changed;
}
