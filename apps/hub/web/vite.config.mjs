import { defineConfig } from 'vite';

// The Hub's page: built to web/dist, served by the Hub at `/`. Everything it needs is bundled
// (MapLibre included): the page works without the internet.
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 2000, sourcemap: true },
  logLevel: 'warn',
});
