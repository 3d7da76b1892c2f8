import { reportPdf } from './report-pdf';
import { overlapColour } from './report-facts';
import { exampleReportView } from './test-support/example-report';
import { firstPage, pixelsNear } from './test-support/pdf-pages';

describe('the quality report PDF', () => {
  test('opens in pdftoppm; its first page shows text and the overlap map in its colours', async () => {
    const pdf = await reportPdf(exampleReportView());
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const page = firstPage(pdf);
    // A4 at 50 dpi.
    expect([page.width, page.height]).toEqual([414, 585]);
    const total = page.width * page.height;
    const white = pixelsNear(page, '#ffffff', 8);
    expect(total - white).toBeGreaterThan(total * 0.02);
    for (const count of [1, 2, 3]) expect(pixelsNear(page, overlapColour(count), 12)).toBeGreaterThan(20);
  });

  test('is the same bytes for the same report (its date is the report’s, not the clock’s)', async () => {
    const a = await reportPdf(exampleReportView());
    const b = await reportPdf(exampleReportView());
    expect(a.equals(b)).toBe(true);
  });
});
