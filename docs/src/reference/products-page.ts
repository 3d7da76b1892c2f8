import type { ProductDeclaration } from '@aerial/contracts';
import type { Page } from '../site';
import { code, htmlTable } from './html-table';

/** The published layout: every product, the stage output it is, and where it lives in a run. */
export function productsPage(products: readonly ProductDeclaration[]): Page {
  const html = `<h1>Products reference</h1>
<p>Generated at build time from <code>PRODUCTS</code> in <code>@aerial/contracts</code>. Paths are under <code>published/&lt;jobId&gt;/&lt;runId&gt;/</code> (a path ending in <code>/</code> is a folder); STAC hrefs are relative to it. See <a href="../products.html">Map products</a> for how they are made.</p>
${htmlTable(
  ['Product', 'Title', 'Stage output', 'Published path', 'Download', 'Catalog row'],
  products.map((p) => [
    code(p.name),
    p.title,
    code(`${p.stage}/${p.role}`),
    code(p.path),
    p.download ? code(`<jobId>-${p.download}`) : '',
    p.catalog ? code(p.catalog) : '',
  ]),
  products.map((p) => `product-${p.name}`),
)}`;
  return { source: '@aerial/contracts PRODUCTS', output: 'reference/products.html', title: 'Products reference', html };
}
