import type { QualityReportView } from '@aerial/contracts';
import { factSections, OVERLAP_LEGEND, overlapColour } from '../../src/report/report-facts';
import './quality-report.css';

const SVG = 'http://www.w3.org/2000/svg';

type Fetch = <T>(path: string) => Promise<T>;

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
  attributes: Record<string, string> = {},
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number>) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  return node;
}

/**
 * Shows the report of the job the page is on once its photos are recorded: called on each of the
 * job's events (stored ones replay on opening), it asks only after a stage succeeded or the job
 * ended (before Ingest there is no report: no 404s in the console), at most once per burst.
 */
export function qualityReportRefresher(section: HTMLElement, api: Fetch) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let shown: string | undefined;
  // The report exists once Ingest has recorded the photos: asked for before (after GuardBudget, or
  // for a job the budget refused), the API answers 404.
  let ingested = false;
  return {
    /** A new job is on the page: nothing of the previous one stays. */
    clear(): void {
      clearTimeout(timer);
      shown = undefined;
      ingested = false;
      section.hidden = true;
      section.dataset.ready = 'false';
      section.replaceChildren();
    },
    onEvent(jobId: string, event: { type: string; stage?: string }): void {
      if (jobId !== shown) ingested = false;
      shown = jobId;
      if (event.type === 'stage.succeeded' && event.stage === 'Ingest') ingested = true;
      if (!ingested) return;
      if (event.type !== 'stage.succeeded' && !['job.succeeded', 'job.failed', 'job.cancelled'].includes(event.type))
        return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (shown === jobId) void showQualityReport(jobId, section, api, () => shown === jobId);
      }, 300);
    },
  };
}

/**
 * The job's quality report in its page section: the facts, the coverage and overlap map, the GSD
 * spread, timing per stage, residuals per photo and the rejected photos, with links to the PDF and
 * the JSON. Hidden until Ingest has recorded the photos (the API answers 404 before).
 */
export async function showQualityReport(
  jobId: string,
  section: HTMLElement,
  api: Fetch,
  stillShown: () => boolean = () => true,
): Promise<void> {
  const report = await api<QualityReportView>(`/api/jobs/${jobId}/report`).catch(() => undefined);
  // Another job was opened while this answer was on its way: it is not this page's to draw.
  if (!stillShown()) return;
  section.dataset.ready = 'false';
  if (!report || report.jobId !== jobId) {
    section.hidden = true;
    section.replaceChildren();
    return;
  }
  section.hidden = false;
  const links = el('p', undefined, { class: 'report-links' });
  links.append(
    el('a', 'Download the PDF', { href: `/api/jobs/${jobId}/report.pdf` }),
    ' · ',
    el('a', 'JSON', { href: `/api/jobs/${jobId}/report` }),
    ` · from ${report.stages.join(', ')}`,
  );
  const facts = el('div', undefined, { class: 'report-facts' });
  for (const s of factSections(report)) {
    const box = el('section', undefined, { 'aria-label': s.title });
    const list = el('dl');
    for (const [name, value] of s.rows) list.append(el('dt', name), el('dd', value));
    box.append(el('h4', s.title), list);
    facts.append(box);
  }
  section.replaceChildren(el('h3', 'Quality report'), links, facts);
  const figures = el('div', undefined, { class: 'report-figures' });
  if (report.coverage) figures.append(overlapFigure(report.coverage));
  if (report.gsd && report.gsd.perPhoto.length) figures.append(gsdFigure(report.gsd));
  if (figures.childElementCount) section.append(figures);
  section.append(rejectedPhotos(report.rejected));
  if (report.timing.length) section.append(timingTable(report.timing));
  if (report.registration?.perPhoto.length) section.append(residualTable(report));
  section.dataset.ready = 'true';
}

/** Overlap per grid cell (runs of equal cells merged into one rectangle) under the footprints' outlines. */
function overlapFigure(coverage: NonNullable<QualityReportView['coverage']>): HTMLElement {
  const { grid } = coverage;
  const figure = el('figure', undefined, { class: 'report-overlap' });
  const map = svg('svg', {
    viewBox: `0 0 ${grid.columns} ${grid.rows}`,
    role: 'img',
    'aria-label': `Overlap map: photos over each of ${grid.columns} × ${grid.rows} cells of ${grid.cellM.toFixed(2)} m`,
  });
  for (let r = 0; r < grid.rows; r++) {
    let c = 0;
    while (c < grid.columns) {
      const count = grid.counts[r * grid.columns + c]!;
      let end = c + 1;
      while (end < grid.columns && grid.counts[r * grid.columns + end] === count) end++;
      if (count > 0) map.append(svg('rect', { x: c, y: r, width: end - c, height: 1.02, fill: overlapColour(count) }));
      c = end;
    }
  }
  const [west, south, east, north] = grid.bbox;
  for (const f of coverage.footprints) {
    const points = f.ring
      .map(([lon, lat]) => {
        const x = ((lon - west) / (east - west)) * grid.columns;
        const y = ((north - lat) / (north - south)) * grid.rows;
        return `${x.toFixed(3)},${y.toFixed(3)}`;
      })
      .join(' ');
    const outline = svg('polygon', { points, class: 'footprint' });
    outline.append(Object.assign(svg('title', {}), { textContent: f.image }));
    map.append(outline);
  }
  const caption = el('figcaption');
  const legend = el('ul', undefined, { class: 'legend' });
  for (const { label, colour } of OVERLAP_LEGEND) {
    const item = el('li', label);
    item.prepend(el('span', undefined, { class: 'swatch', style: `background:${colour}` }));
    legend.append(item);
  }
  const m2 = (v: number) => (v >= 10_000 ? `${(v / 10_000).toFixed(2)} ha` : `${Math.round(v)} m²`);
  caption.append(
    el('strong', 'Coverage and overlap'),
    legend,
    `Covered by one photo or more: ${m2(grid.coveredM2.one)}; two or more: ${m2(grid.coveredM2.two)}; three or more: ${m2(grid.coveredM2.three)}.`,
  );
  figure.append(map, caption);
  return figure;
}

/** The photos' GSD as a histogram, the median marked. */
function gsdFigure(gsd: NonNullable<QualityReportView['gsd']>): HTMLElement {
  const values = gsd.perPhoto.map((p) => p.gsdCm);
  const min = Math.min(...values);
  const max = Math.max(...values);
  // At least ±2 % around the median: photos at one height fall in the middle bars, not spread by rounding.
  const low = Math.min(min, gsd.cm.median * 0.98);
  const high = Math.max(max, gsd.cm.median * 1.02);
  // Odd: the median (the range's middle when photos are at one height) falls inside a bar.
  const bins = 11;
  const width = high - low;
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) counts[Math.max(0, Math.min(bins - 1, Math.floor(((v - low) / width) * bins)))]!++;
  const top = Math.max(...counts);
  const chart = svg('svg', {
    viewBox: `0 0 ${bins * 10} 66`,
    role: 'img',
    'aria-label': `GSD of ${values.length} photos: ${min.toFixed(2)} to ${max.toFixed(2)} cm/px, median ${gsd.cm.median.toFixed(2)}`,
  });
  counts.forEach((n, k) => {
    const h = (n / top) * 50;
    chart.append(svg('rect', { x: k * 10 + 1, y: 55 - h, width: 8, height: h, class: 'bar' }));
  });
  const mx = ((gsd.cm.median - low) / width) * bins * 10;
  for (const [x, value, anchor] of [
    [0, low, 'start'],
    [bins * 10, high, 'end'],
  ] as const) {
    const label = svg('text', { x, y: 64, 'text-anchor': anchor, class: 'axis' });
    label.textContent = value.toFixed(2);
    chart.append(label);
  }
  chart.append(svg('line', { x1: mx, x2: mx, y1: 0, y2: 56, class: 'median' }));
  const figure = el('figure', undefined, { class: 'report-gsd' });
  const caption = el('figcaption');
  caption.append(
    el('strong', 'GSD per photo'),
    ` ${min.toFixed(2)}–${max.toFixed(2)} cm/px, median ${gsd.cm.median.toFixed(2)}` +
      (gsd.mosaicCm === null ? '' : `; orthomosaic ${gsd.mosaicCm.toFixed(2)} cm/px`),
  );
  figure.append(chart, caption);
  return figure;
}

function table(caption: string, headers: readonly string[], rows: readonly (readonly (string | Node)[])[]) {
  const t = el('table', undefined, { class: 'report-table' });
  t.append(el('caption', caption));
  const head = el('tr');
  for (const h of headers) head.append(el('th', h, { scope: 'col' }));
  t.append(el('thead'));
  t.tHead!.append(head);
  const body = el('tbody');
  for (const cells of rows) {
    const tr = el('tr');
    for (const c of cells) {
      const td = el('td');
      td.append(c);
      tr.append(td);
    }
    body.append(tr);
  }
  t.append(body);
  return t;
}

/** A bar in a table cell, its length relative to the column's largest value. */
function bar(value: number, max: number, label: string): HTMLElement {
  const cell = el('span', undefined, { class: 'report-bar' });
  cell.append(el('span', undefined, { style: `width:${max > 0 ? (value / max) * 100 : 0}%` }), label);
  return cell;
}

function timingTable(timing: QualityReportView['timing']): HTMLElement {
  const longest = Math.max(...timing.map((t) => t.seconds ?? 0));
  return table(
    'Timing per stage',
    ['Stage', 'Outcome', 'Attempts', 'Seconds'],
    timing.map((t) => [
      t.stage,
      t.outcome,
      String(t.attempts),
      t.seconds === null ? '—' : bar(t.seconds, longest, t.seconds.toFixed(1)),
    ]),
  );
}

function residualTable(report: QualityReportView): HTMLElement {
  const perPhoto = report.registration!.perPhoto;
  const gsd = new Map(report.gsd?.perPhoto.map((p) => [p.image, p.gsdCm]));
  const largest = Math.max(...perPhoto.map((p) => p.residualPx ?? 0));
  const sfm = report.registration!.sfm;
  const reprojection = new Map(sfm?.perPhoto.map((p) => [p.image, p.reprojectionErrorPx]));
  return table(
    'Registration residuals and GSD per photo',
    ['Photo', 'GSD cm/px', 'Pairs', 'Residual px', ...(sfm ? ['SfM reprojection px'] : [])],
    perPhoto.map((p) => [
      p.image,
      gsd.get(p.image)?.toFixed(2) ?? '—',
      String(p.pairs),
      p.residualPx === null ? 'no matches' : bar(p.residualPx, largest, p.residualPx.toFixed(3)),
      ...(sfm ? [reprojection.get(p.image)?.toFixed(3) ?? 'not registered'] : []),
    ]),
  );
}

function rejectedPhotos(rejected: QualityReportView['rejected']): HTMLElement {
  const box = el('div', undefined, { class: 'report-rejected' });
  box.append(el('h4', `Photos left out (${rejected.length})`));
  if (rejected.length === 0) box.append(el('p', 'None: every photo was used.'));
  const list = el('ul');
  for (const r of rejected) {
    const item = el('li');
    if (r.thumbnail)
      item.append(
        el('img', undefined, {
          src: r.thumbnail.dataUrl,
          width: String(r.thumbnail.width),
          height: String(r.thumbnail.height),
          alt: `preview of ${r.image}`,
        }),
      );
    else item.append(el('span', 'no preview', { class: 'no-preview' }));
    const text = el('div');
    text.append(
      el('strong', r.image),
      el('p', `Left out by ${r.stage}: ${r.reasons.map((reason) => reason.message).join('; ')}`),
    );
    item.append(text);
    list.append(item);
  }
  box.append(list);
  return box;
}
