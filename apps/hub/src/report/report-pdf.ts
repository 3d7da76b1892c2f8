import { type QualityReportView } from '@aerial/contracts';
import PDFDocument from 'pdfkit';
import { type FactSection, factSections, overlapColour, OVERLAP_LEGEND } from './report-facts';

type Doc = PDFKit.PDFDocument;

const MARGIN = 40;
const INK = '#1d2a33';
const MUTED = '#5b6b75';
const RULE = '#c9d3d9';

/**
 * The quality report as a PDF (A4): the facts, the coverage and overlap map, timing per stage,
 * registration residuals and GSD per photo, and the rejected photos with their previews. Built
 * with pdfkit's standard fonts: nothing to install, no browser.
 */
export async function reportPdf(report: QualityReportView): Promise<Buffer> {
  const finished = lastFinished(report);
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    info: {
      Title: `Quality report — ${report.jobId}`,
      Subject: 'Aerial Platform quality report',
      // The job's date, not the clock's: the same job gives the same file.
      ...(finished ? { CreationDate: new Date(finished) } : {}),
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  doc.font('Helvetica-Bold').fontSize(18).fillColor(INK).text(`Quality report — ${report.jobId}`);
  doc
    .font('Helvetica')
    .fontSize(9)
    .fillColor(MUTED)
    .text(
      `${finished ? `Finished ${finished.replace('T', ' ').slice(0, 19)} UTC · ` : ''}stages ${report.stages.join(', ')} · ${report.source === 'published' ? 'published with the products' : "composed from the stages' outputs"}`,
    );
  doc.moveDown(0.8);

  factColumns(doc, factSections(report));

  if (report.coverage) overlapMap(doc, report.coverage);

  heading(doc, `Rejected photos (${report.rejected.length})`);
  if (report.rejected.length === 0)
    doc.font('Helvetica').fontSize(9).fillColor(INK).text('None: every photo was used.');
  for (const r of report.rejected) rejectedPhoto(doc, r);

  if (report.timing.length) {
    heading(doc, 'Timing per stage');
    const widths = [110, 70, 60, 60, contentWidth(doc) - 300];
    row(doc, ['Stage', 'Outcome', 'Attempts', 'Seconds', 'Started'], widths, true);
    for (const t of report.timing)
      row(
        doc,
        [t.stage, t.outcome, String(t.attempts), t.seconds === null ? '—' : t.seconds.toFixed(1), t.startedAt],
        widths,
      );
    doc.moveDown(0.4);
  }

  const residuals = report.registration?.perPhoto ?? [];
  if (residuals.length) {
    heading(doc, 'Registration residuals and GSD per photo');
    const gsd = new Map(report.gsd?.perPhoto.map((p) => [p.image, p.gsdCm]));
    const sfm = report.registration?.sfm;
    const reprojection = new Map(sfm?.perPhoto.map((p) => [p.image, p.reprojectionErrorPx]));
    const widths = [contentWidth(doc) - 380, 50, 60, 70, 90, ...(sfm ? [110] : [])];
    widths[0]! += sfm ? 0 : 110;
    row(
      doc,
      ['Photo', 'Pairs', 'GSD cm', 'Residual px', 'Yaw vs pixels °', ...(sfm ? ['SfM reprojection px'] : [])],
      widths,
      true,
    );
    for (const p of residuals)
      row(
        doc,
        [
          p.image,
          String(p.pairs),
          gsd.get(p.image)?.toFixed(2) ?? '—',
          p.residualPx === null ? 'no matches' : p.residualPx.toFixed(3),
          p.yawDisagreementDeg === undefined ? '—' : p.yawDisagreementDeg.toFixed(1),
          ...(sfm ? [reprojection.get(p.image)?.toFixed(3) ?? 'not registered'] : []),
        ],
        widths,
      );
    doc.moveDown(0.4);
  }

  doc.end();
  return done;
}

/** When the job's last stage to finish did, from its events. */
export function lastFinished(report: QualityReportView): string | undefined {
  return report.timing
    .flatMap((t) => (t.finishedAt ? [t.finishedAt] : []))
    .sort()
    .at(-1);
}

function contentWidth(doc: Doc): number {
  return doc.page.width - 2 * MARGIN;
}

/** Starts a new page when `height` more points would not fit. */
function room(doc: Doc, height: number): void {
  if (doc.y + height > doc.page.height - MARGIN) doc.addPage();
}

function heading(doc: Doc, text: string, left = MARGIN, width = contentWidth(doc)): void {
  room(doc, 40);
  doc.y += 5;
  doc.font('Helvetica-Bold').fontSize(12).fillColor(INK).text(text, left, doc.y, { width });
  const y = doc.y + 2;
  doc
    .moveTo(left, y)
    .lineTo(left + width, y)
    .lineWidth(0.5)
    .strokeColor(RULE)
    .stroke();
  doc.y = y + 4;
}

/** One table row: cells side by side, the row as tall as its tallest cell. */
function row(doc: Doc, cells: readonly string[], widths: readonly number[], header = false, left = MARGIN): void {
  doc.font(header ? 'Helvetica-Bold' : 'Helvetica').fontSize(9);
  const heights = cells.map((c, k) => doc.heightOfString(c, { width: widths[k]! - 6 }));
  const height = Math.max(...heights) + 3;
  room(doc, height);
  const top = doc.y;
  let x = left;
  cells.forEach((c, k) => {
    doc.fillColor(header ? MUTED : INK).text(c, x, top, { width: widths[k]! - 6 });
    x += widths[k]!;
  });
  doc.x = MARGIN;
  doc.y = top + height;
}

/** The fact sections in two columns, each section into the shorter one: the first page keeps room for the map. */
function factColumns(doc: Doc, sections: readonly FactSection[]): void {
  const gap = 20;
  const width = (contentWidth(doc) - gap) / 2;
  const top = doc.y;
  const bottoms = [top, top];
  for (const section of sections) {
    const k = bottoms[0]! <= bottoms[1]! ? 0 : 1;
    const left = MARGIN + k * (width + gap);
    doc.y = bottoms[k]!;
    heading(doc, section.title, left, width);
    for (const [name, value] of section.rows) row(doc, [name, value], [110, width - 110], false, left);
    bottoms[k] = doc.y + 4;
  }
  doc.x = MARGIN;
  doc.y = Math.max(...bottoms);
}

/** The overlap grid as coloured cells with the footprints' outlines over it, north up. */
function overlapMap(doc: Doc, coverage: NonNullable<QualityReportView['coverage']>): void {
  const { grid } = coverage;
  const maxWidth = contentWidth(doc);
  const cell = Math.min(maxWidth / grid.columns, 320 / grid.rows);
  const width = cell * grid.columns;
  const height = cell * grid.rows;
  room(doc, height + 70);
  heading(doc, 'Coverage and overlap');
  const left = MARGIN + (maxWidth - width) / 2;
  const top = doc.y + 4;
  grid.counts.forEach((count, k) => {
    if (count === 0) return;
    const r = Math.floor(k / grid.columns);
    const c = k % grid.columns;
    doc
      .rect(left + c * cell, top + r * cell, cell + 0.2, cell + 0.2)
      .fillColor(overlapColour(count))
      .fill();
  });
  const [west, south, east, north] = grid.bbox;
  const project = ([lon, lat]: readonly [number, number]): [number, number] => [
    left + ((lon - west) / (east - west)) * width,
    top + ((north - lat) / (north - south)) * height,
  ];
  doc.lineWidth(0.4).strokeColor('#0b5cad');
  for (const f of coverage.footprints) {
    const points = f.ring.map(project);
    doc.polygon(...points).stroke();
  }
  doc.rect(left, top, width, height).lineWidth(0.5).strokeColor(RULE).stroke();
  doc.y = top + height + 6;
  let x = MARGIN;
  doc.font('Helvetica').fontSize(8);
  for (const { label, colour } of OVERLAP_LEGEND) {
    doc.rect(x, doc.y, 10, 8).fillColor(colour).fill();
    doc.fillColor(INK).text(label, x + 13, doc.y, { lineBreak: false });
    x += 13 + doc.widthOfString(label) + 14;
  }
  doc.x = MARGIN;
  doc.y += 12;
  doc
    .fillColor(MUTED)
    .text(
      `Cells of ${grid.cellM.toFixed(2)} m; photos over each cell's centre. Covered: ${area(grid.coveredM2.one)} by one photo or more, ${area(grid.coveredM2.two)} by two or more, ${area(grid.coveredM2.three)} by three or more.`,
      MARGIN,
      doc.y,
      { width: maxWidth },
    );
  doc.moveDown(0.6);
}

function rejectedPhoto(doc: Doc, r: QualityReportView['rejected'][number]): void {
  const thumb = 64;
  room(doc, thumb + 8);
  const top = doc.y;
  if (r.thumbnail) {
    const jpeg = Buffer.from(r.thumbnail.dataUrl.slice(r.thumbnail.dataUrl.indexOf(',') + 1), 'base64');
    doc.image(jpeg, MARGIN, top, { fit: [thumb * 1.5, thumb] });
  } else {
    doc
      .rect(MARGIN, top, thumb * 1.5, thumb)
      .lineWidth(0.5)
      .strokeColor(RULE)
      .stroke();
    doc
      .font('Helvetica')
      .fontSize(7)
      .fillColor(MUTED)
      .text('no preview', MARGIN + 4, top + thumb / 2 - 4);
  }
  const x = MARGIN + thumb * 1.5 + 10;
  const width = contentWidth(doc) - thumb * 1.5 - 10;
  doc.font('Helvetica-Bold').fontSize(9).fillColor(INK).text(r.image, x, top, { width });
  doc
    .font('Helvetica')
    .fillColor(MUTED)
    .text(
      `Left out by ${r.stage}: ${r.reasons.map((reason) => `${reason.code} — ${reason.message}`).join('; ')}`,
      x,
      doc.y,
      {
        width,
      },
    );
  doc.x = MARGIN;
  doc.y = Math.max(doc.y, top + thumb) + 6;
}

function area(m2: number): string {
  return m2 >= 10_000 ? `${(m2 / 10_000).toFixed(2)} ha` : `${Math.round(m2)} m²`;
}
