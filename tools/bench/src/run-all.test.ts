import { REPORT_END, REPORT_START, withReport } from './run-all';

describe('withReport', () => {
  const page = `# Benchmarks\n\nintro\n\n${REPORT_START}\n\nold table\n\n${REPORT_END}\n\n## Method\n\ntext\n`;

  test('replaces only the report part and keeps the prose around it', () => {
    const updated = withReport(page, '| new | table |\n');
    expect(updated).toContain('intro');
    expect(updated).toContain('## Method\n\ntext');
    expect(updated).toContain('| new | table |');
    expect(updated).not.toContain('old table');
    expect(withReport(updated, '| newer |\n')).not.toContain('| new | table |');
  });

  test('refuses a page without the markers', () => {
    expect(() => withReport('# Benchmarks\n', 'x')).toThrow(/has no/);
  });
});
