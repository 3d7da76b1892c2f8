import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitepress';
import { sidebar } from '../src/navigation';
import { headingSlug } from '../src/slug';

const content = fileURLToPath(new URL('../content', import.meta.url));

// The site (decision 0011). `node lib/build-site.js` writes the generated pages into content/
// first, then builds with this; `--base` there sets the path it is served under.
export default defineConfig({
  title: 'Aerial Platform',
  description:
    'Drone photos in; orthomosaic, map tiles, STAC, GeoParquet, 3D model and splats out, on one machine or in your cloud.',
  srcDir: 'content',
  outDir: 'dist',
  // Fragments the home page includes; not pages of their own.
  srcExclude: ['_generated/**'],
  // Pages end in .html, as on any static host; a dead link between pages fails the build (the default).
  cleanUrls: false,
  markdown: {
    anchor: { slugify: headingSlug },
    config(md) {
      // Inline code is shown as written: without v-pre Vue reads `{{workflow.status}}` as a template.
      const codeInline = md.renderer.rules.code_inline;
      md.renderer.rules.code_inline = (tokens, idx, options, env, self) =>
        (codeInline?.(tokens, idx, options, env, self) ?? '').replace(/^<code/, '<code v-pre');
    },
  },
  themeConfig: {
    nav: [
      { text: 'Guide', link: '/architecture' },
      { text: 'Developing', link: '/developing/' },
      { text: 'Operating', link: '/runbooks/alarms' },
      { text: 'Reference', link: '/reference/rest-api' },
      { text: 'Decisions', link: '/decisions/' },
    ],
    sidebar: sidebar(content),
    // Built into the site at build time: no service, works offline.
    search: { provider: 'local' },
    outline: { level: [2, 3] },
    footer: { message: 'Apache-2.0. The Brighton Beach photos are © Piero Toffanin, BSD 2-Clause.' },
  },
});
