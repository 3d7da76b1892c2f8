import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emitFigures, figure, FiguresSchema, num, renderMarkdown, type Report, ReportSchema, skipped } from './report';

const machine = {
  cpuModel: 'Test CPU',
  cores: 2,
  memoryGiB: 23.4,
  node: 'v20.20.0',
  os: 'Linux 6.1',
  commit: 'abc123',
};

describe('figure', () => {
  test('takes the ratio round by round and judges the ratio target', () => {
    const f = figure({
      id: 'hub.tile',
      group: 'Hub',
      name: 'cached tile GET',
      unit: 'req/s',
      samples: [600, 800, 700],
      baseline: { name: 'bare fastify', samples: [1000, 1000, 1000] },
      target: { on: 'ratio', op: '>=', limit: 0.5, text: '≥ 50 % of bare' },
    });
    expect(f.ratio).toMatchObject({ median: 0.7, min: 0.6, max: 0.8, n: 3 });
    expect(f.measured.median).toBe(700);
    expect(f.baseline?.spread.median).toBe(1000);
    expect(f.pass).toBe(true);
    expect(f.rounds).toBe(3);
  });

  test('a value target judges the median; no target is a diagnostic (pass null)', () => {
    const rss = figure({
      id: 'rss',
      group: 'Map',
      name: 'peak RSS',
      unit: 'MiB',
      samples: [2100, 1900, 2200],
      target: { on: 'value', op: '<=', limit: 2048, text: '≤ 2048 MiB' },
    });
    expect(rss.pass).toBe(false);
    const diag = figure({
      id: 'd',
      group: 'Map',
      name: 'd',
      unit: 's',
      samples: [1],
      baseline: { name: 'b', samples: [2] },
    });
    expect(diag.pass).toBeNull();
    expect(diag.ratio?.median).toBe(0.5);
  });

  test('unequal rounds fall back to the ratio of the medians; a ratio target needs a baseline', () => {
    const f = figure({
      id: 'x',
      group: 'g',
      name: 'n',
      unit: 's',
      samples: [4, 6],
      baseline: { name: 'b', samples: [2] },
    });
    expect(f.ratio).toMatchObject({ median: 2.5, n: 1 });
    expect(() =>
      figure({
        id: 'y',
        group: 'g',
        name: 'n',
        unit: 's',
        samples: [1],
        target: { on: 'ratio', op: '<=', limit: 1, text: '' },
      }),
    ).toThrow(/needs a baseline/);
  });
});

describe('report', () => {
  const report: Report = {
    schemaVersion: 1,
    date: '2026-11-29T03:00:00.000Z',
    durationSeconds: 600,
    machine,
    settings: { BENCH_ROUNDS: '3' },
    loadBefore: 0.4,
    loadAfter: 0.6,
    figures: [
      figure({
        id: 'ingest',
        group: 'Ingest',
        name: 'Brighton Beach',
        unit: 's',
        samples: [1.2, 1.3, 1.1],
        baseline: { name: 'decode floor', samples: [1, 1, 1] },
        target: { on: 'ratio', op: '<=', limit: 1.1, text: '≤ 1.1× floor' },
        note: 'a note',
      }),
      skipped('sfm', 'SfM', 'COLMAP defaults', 'colmap is absent'),
    ],
    failures: [{ bench: 'hub', error: 'the Hub exited (1)' }],
  };

  test('the schema accepts a report and refuses a figure without its spread', () => {
    expect(ReportSchema.parse(report)).toEqual(report);
    const broken = { ...report, figures: [{ ...report.figures[0], measured: { median: 1 } }] };
    expect(ReportSchema.safeParse(broken).success).toBe(false);
  });

  test('the markdown names the machine and has one row per figure with median, spread, ratio and verdict', () => {
    const md = renderMarkdown(report);
    expect(md).toContain('Test CPU, 2 cores, 23.4 GiB');
    expect(md).toContain('commit abc123');
    expect(md).toContain('load average 0.40 before the run and 0.60 after');
    expect(md).toContain('`BENCH_ROUNDS=3`');
    expect(md).toContain(
      '| Ingest: Brighton Beach | 1.20 s (1.10–1.30) | decode floor: 1 s (1–1) | 1.20 (1.10–1.30) | ≤ 1.1× floor | **FAIL** | 3 |',
    );
    expect(md).toContain('| SfM: COLMAP defaults | skipped: colmap is absent |');
    expect(md).toContain('- Ingest: Brighton Beach: a note');
    expect(md).toContain('- hub: the Hub exited (1)');
  });

  test('numbers keep three significant digits', () => {
    expect(num(0.012345)).toBe('0.0123');
    expect(num(1.23456)).toBe('1.23');
    expect(num(1234.5)).toBe('1235');
    expect(num(0)).toBe('0');
    expect(num(11)).toBe('11');
  });

  test('emitFigures writes the validated figures to BENCH_OUT', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-report-'));
    const out = join(dir, 'figures.json');
    process.env.BENCH_OUT = out;
    try {
      emitFigures(report.figures);
      expect(FiguresSchema.parse(JSON.parse(readFileSync(out, 'utf8')))).toEqual(report.figures);
    } finally {
      delete process.env.BENCH_OUT;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
