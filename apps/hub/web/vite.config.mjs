import { defineConfig } from 'vite';

// The Hub's page: built to web/dist, served by the Hub at `/`. Everything it needs is bundled
// (MapLibre included): the page works without the internet. The 3D viewer (PlayCanvas, ~2.05 MB)
// is a chunk of its own, loaded only for jobs with 3D products.
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 2100, sourcemap: true },
  logLevel: 'warn',
});
