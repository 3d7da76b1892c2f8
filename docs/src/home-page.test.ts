import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchmarkMarkdown, BenchReportSchema, HEADLINE_FIGURES, readBenchReport, view3dMarkdown } from './home-page';

const report = BenchReportSchema.parse({
  date: '2026-11-29T05:58:07.389Z',
  machine: { cpuModel: 'Xeon', cores: 2, node: 'v20.20.2', commit: '94780496fd74' },
  figures: [
    {
      id: 'hub.tile',
      group: 'Hub',
      name: 'cached tile GET',
      unit: 'req/s',
      measured: { median: 27080 },
      ratio: { median: 0.98 },
      target: { text: '≥ 0.5 of bare' },
      pass: true,
    },
    {
      id: 'map.brighton.wall',
      group: 'Map job',
      name: 'wall time',
      unit: 's',
      measured: { median: 11.9037 },
      ratio: { median: 13.47 },
      pass: null,
    },
    {
      id: 'hub.status',
      group: 'Hub',
      name: 'status p99',
      unit: 'ms',
      measured: { median: 9 },
      target: { text: '≤ 4× bare p99' },
      pass: false,
    },
    { id: 'sfm.colmap', group: 'SfM', name: 'stage | defaults', skipped: 'colmap is not installed' },
    {
      id: 'engine.job',
      group: 'Engine',
      name: 'not a headline figure',
      unit: 'ms',
      measured: { median: 1 },
      pass: null,
    },
  ],
});

describe("the home page's benchmark table", () => {
  test('shows the headline figures in order: median, ratio to the baseline, target and verdict', () => {
    const markdown = benchmarkMarkdown(report);
    const rows = markdown
      .split('\n')
      .filter((l) => l.startsWith('| ') && !l.startsWith('| figure') && !l.startsWith('| ---'));
    expect(rows).toEqual([
      '| Map job: wall time | 11.9 s | 13.5× | diagnostic |',
      '| SfM: stage \\| defaults | skipped: colmap is not installed | | |',
      '| Hub: cached tile GET | 27,080 req/s | 0.98× | ≥ 0.5 of bare: **met** |',
      '| Hub: status p99 | 9.0 ms | — | ≤ 4× bare p99: **missed** |',
    ]);
    expect(markdown).toContain('on 2026-11-29 05:58 UTC at commit `94780496fd74` (2 cores, Xeon, Node v20.20.2)');
  });

  test('refuses a report with none of them', () => {
    expect(() => benchmarkMarkdown({ ...report, figures: [] })).toThrow(/none of the home page figures/);
  });

  test('reads the committed report, which has every headline figure', () => {
    const committed = readBenchReport(join(__dirname, '..', 'bench-report.json'));
    expect(committed.figures.map((f) => f.id)).toEqual(expect.arrayContaining([...HEADLINE_FIGURES]));
  });
});

describe("the 3D view's slot", () => {
  test('shows the picture only when images/view-3d.png exists', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aerial-public-'));
    try {
      expect(view3dMarkdown(dir)).not.toContain('view-3d.png)');
      mkdirSync(join(dir, 'images'));
      writeFileSync(join(dir, 'images', 'view-3d.png'), '');
      expect(view3dMarkdown(dir)).toContain('](/images/view-3d.png)');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
