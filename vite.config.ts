/// <reference types="vitest/config" />
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const repoRoot = fileURLToPath(new URL('.', import.meta.url));
/** Where `npm run dev` forwards /ws and /api: a server started with `npm run serve`. */
const devBackend = process.env.TICKERTAPE_DEV_BACKEND ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: 'web',
  plugins: [svelte({ configFile: fileURLToPath(new URL('./svelte.config.js', import.meta.url)) })],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    target: 'es2022',
  },
  server: {
    proxy: {
      '/api': devBackend,
      '/healthz': devBackend,
      '/ws': { target: devBackend.replace(/^http/, 'ws'), ws: true },
    },
  },
  test: {
    root: repoRoot,
    include: ['**/*.test.ts'],
    // .tmp holds the benchmark's compiled copies of the sources (bench/baseline.ts).
    exclude: ['**/node_modules/**', '**/dist/**', '.tmp/**'],
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
